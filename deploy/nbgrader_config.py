# nbgrader settings every user of the class's hub shares (learners and teachers): install as
# /etc/jupyter/nbgrader_config.py. The course's own settings (the grading pipeline) are in the
# course root's nbgrader_config.py, which `make classroom` generates.
c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
c.CourseDirectory.course_id = "backprop"
c.Exchange.root = "/srv/nbgrader/exchange"
