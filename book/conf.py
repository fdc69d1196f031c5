"""Sphinx configuration of the course's website (make book; tools/make_book.py stages the sources).

Offline by construction: the notebooks are rendered from their stored outputs (never executed),
MathJax is served from the site itself, and ipywidgets' embedding scripts (which come from a CDN)
are left out: a widget shows its plain-text sentence, its figure is an ordinary output.
"""

project = "Backpropagation, from one weight to matrix form"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
language = "en"

extensions = ["myst_nb"]
master_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# --- notebooks: as stored, never executed -------------------------------------------------------
nb_execution_mode = "off"
nb_ipywidgets_js = {}          # no require.js or widget manager from a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3       # "Errata" sections and the notebooks' own #links get anchors
myst_dmath_double_inline = True

# --- MathJax 4 from the site itself (tools/make_book.py copies it into the static folder) --------
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax4_config = {
    # the font is a package of its own; by default MathJax would fetch it from a CDN
    "loader": {"paths": {"fonts": "[mathjax]/.."}},
    "output": {"font": "mathjax-newcm", "linebreaks": {"inline": True}},
}

# --- the theme ----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Backpropagation, from one weight to matrix form"
html_static_path = ["_static"]  # make_book adds the MathJax folder with -D
html_css_files = ["course.css"]
html_js_files = ["course.js"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
suppress_warnings = ["mystnb.unknown_mime_type"]
