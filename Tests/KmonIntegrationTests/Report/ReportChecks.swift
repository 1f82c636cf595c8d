/// The checks the browser test runs inside report.html, after Chromium has laid it out. The
/// script writes what it found as JSON into `<pre id="kmon-check">`, which `--dump-dom` returns.
/// It is added to a copy of the page only: the report itself has no script.
enum ReportChecks {
    static let script = #"""
    <script>
    (function () {
      const problems = [];
      const facts = { charts: 0, arms: {}, width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth };
      const findings = document.getElementById('findings');
      const firstHeading = document.querySelector('h2');
      if (!findings) problems.push('no #findings section');
      else {
        if (!findings.contains(firstHeading)) problems.push('the first h2 is not in the findings: ' + (firstHeading && firstHeading.textContent));
        for (const el of document.querySelectorAll('figure, table')) {
          if (findings.contains(el)) continue;
          if (el.compareDocumentPosition(findings) & Node.DOCUMENT_POSITION_FOLLOWING) {
            problems.push('a ' + el.tagName + ' comes before the findings'); break;
          }
        }
      }
      const legendOrders = [];
      for (const figure of document.querySelectorAll('figure')) {
        facts.charts += 1;
        const caption = figure.firstElementChild;
        const svg = figure.querySelector('svg');
        const name = caption ? caption.textContent.trim() : '(no caption)';
        if (!caption || caption.tagName !== 'FIGCAPTION' || !name) problems.push('a chart has no title above it: ' + name);
        if (!svg) { problems.push(name + ': no svg'); continue; }
        if (caption && svg && !(caption.compareDocumentPosition(svg) & Node.DOCUMENT_POSITION_FOLLOWING)) problems.push(name + ': title below the chart');
        const entries = figure.querySelectorAll('.legend-entry');
        if (entries.length === 0) problems.push(name + ': no legend');
        legendOrders.push([name, Array.from(entries).map(e => e.getAttribute('data-arm')).filter(a => a)]);
        if (figure.getAttribute('data-axes') !== 'none') {
          const labels = Array.from(figure.querySelectorAll('.axis-label')).map(e => e.textContent);
          if (labels.length === 0) problems.push(name + ': no axis label');
          for (const label of labels) if (!/µs|%|\(s\)|percentile/.test(label)) problems.push(name + ': axis label without a unit: ' + label);
        }
        const box = svg.getBoundingClientRect();
        for (const text of svg.querySelectorAll('text')) {
          const r = text.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
            problems.push(name + ': text overflows its svg: "' + text.textContent + '"');
          }
        }
      }
      for (const el of document.querySelectorAll('[data-arm]')) {
        const arm = el.getAttribute('data-arm');
        const style = getComputedStyle(el);
        let colour = null;
        if (el.tagName === 'SPAN') colour = style.backgroundColor;
        else if (el.tagName === 'line' || el.tagName === 'polyline') colour = style.stroke;
        else if (el.tagName === 'rect') colour = style.fill;
        if (!colour) continue;
        (facts.arms[arm] = facts.arms[arm] || []).includes(colour) || facts.arms[arm].push(colour);
      }
      for (const [arm, colours] of Object.entries(facts.arms)) {
        if (colours.length !== 1) problems.push(arm + ' has ' + colours.length + ' colours: ' + colours.join(' '));
      }
      for (const [nameA, a] of legendOrders) for (const [nameB, b] of legendOrders) {
        const common = a.filter(x => b.includes(x));
        if (common.join() !== b.filter(x => a.includes(x)).join()) { problems.push('legends differ in order: ' + nameA + ' / ' + nameB); break; }
      }
      if (facts.scrollWidth > window.innerWidth + 1) problems.push('the page is ' + facts.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
      const out = document.createElement('pre');
      out.id = 'kmon-check';
      out.textContent = JSON.stringify({ problems: problems, facts: facts });
      document.body.appendChild(out);
    })();
    </script>
    """#
}
