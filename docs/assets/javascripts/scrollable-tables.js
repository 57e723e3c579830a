// Material wraps each table in .md-typeset__scrollwrap, which scrolls sideways when the table
// is wider than the page. A keyboard can only scroll a region it can focus, so give every
// overflowing wrapper a tab stop and a name (axe: scrollable-region-focusable).
document$.subscribe(({ body }) => {
  for (const wrap of body.querySelectorAll(".md-typeset__scrollwrap")) {
    if (wrap.scrollWidth > wrap.clientWidth) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table (scrolls sideways)");
    }
  }
});
