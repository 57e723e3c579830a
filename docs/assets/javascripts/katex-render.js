// Typeset math with the KaTeX vendored under assets/katex: no request leaves the site.
// Runs on every page load, including Material's instant navigation (document$).

// Markdown pages: pymdownx.arithmatex (generic mode) wraps each formula in an .arithmatex
// element as \( ... \) or \[ ... \]; only those elements are touched, so "$5" stays text.
function renderArithmatex(root) {
  for (const el of root.querySelectorAll(".arithmatex")) {
    const text = el.textContent.trim();
    const display = text.startsWith("\\[");
    const tex = text.replace(/^\\[([]/, "").replace(/\\[)\]]$/, "");
    katex.render(tex, el, { displayMode: display, throwOnError: false });
  }
}

// Notebook pages: Jupyter Markdown cells keep $...$ and $$...$$ as plain text.
function renderNotebookMarkdown(root) {
  for (const el of root.querySelectorAll(".jp-MarkdownOutput")) {
    renderMathInElement(el, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  }
}

document$.subscribe(({ body }) => {
  renderArithmatex(body);
  renderNotebookMarkdown(body);
});
