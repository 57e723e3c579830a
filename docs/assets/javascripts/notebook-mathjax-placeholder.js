// mkdocs-jupyter always writes a <script> tag for MathJax into notebook pages, pointing at a
// CDN unless `custom_mathjax_url` names another file. It names this one, so no page asks
// another host for anything. Notebook math is typeset by katex-render.js instead.
