"""The inline stylesheet of the health report (no external resource).

>>> "@media print" in STYLE and ".heatmap" in STYLE
True
"""

from __future__ import annotations

STYLE = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9dee4;--soft:#f5f7fa;--blue:#2563eb;
--ok:#12b76a;--unknown:#98a2b3;--warning:#f79009;--critical:#d92d20;--bad-bg:#fef3f2}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:24px;margin:0 0 4px;overflow-wrap:anywhere}h2{font-size:18px;margin:34px 0 8px}
h3{font-size:15px;margin:22px 0 8px;text-transform:capitalize}
.meta{color:var(--muted);font-size:13px;margin:0}
.meta{display:flex;flex-wrap:wrap;gap:2px 18px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:18px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.card .d{color:var(--muted);font-size:12px}
.explain{color:var(--muted);font-size:13px;margin:4px 0 10px;max-width:95ch}
.status{display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;font-weight:600;
color:#fff;background:var(--unknown);white-space:nowrap}
.status.ok{background:var(--ok)}.status.warning{background:var(--warning)}
.status.critical{background:var(--critical)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:14px}
@media (max-width:860px){.charts{grid-template-columns:1fr}}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px 6px;min-width:0}
figcaption{display:flex;gap:8px;align-items:baseline;justify-content:space-between;
flex-wrap:wrap;font-size:13px}
figcaption b{overflow-wrap:break-word;min-width:0}
figcaption .latest{color:var(--muted);font-size:12px}
svg.chart{display:block;width:100%;height:auto;margin-top:4px}
.chart .grid{stroke:#eef1f4}.chart .axis{stroke:#9aa5b1}
.chart .tick{fill:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
.chart .line{fill:none;stroke:var(--blue);stroke-width:1.6}
.chart .limit{fill:none;stroke:var(--critical);stroke-width:1.2;stroke-dasharray:5 4}
.chart .band{fill:var(--critical);fill-opacity:.07}
.chart .pt{stroke:#fff;stroke-width:1}.chart .pt.ok{fill:var(--ok)}
.chart .pt.unknown{fill:var(--unknown)}.chart .pt.warning{fill:var(--warning)}
.chart .pt.critical{fill:var(--critical)}
.chart .gap{fill:var(--unknown);font-size:12px;font-weight:700}
.legend{color:var(--muted);font-size:12px;display:flex;flex-wrap:wrap;gap:4px 14px;margin:0 0 10px}
.legend span{white-space:nowrap}
.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;
vertical-align:-1px}
.legend i.dot{border-radius:50%}.legend i.ok{background:var(--ok)}
.legend i.unknown{background:var(--unknown)}.legend i.warning{background:var(--warning)}
.legend i.critical{background:var(--critical)}
.legend i.limit{height:0;border-top:2px dashed var(--critical);border-radius:0;vertical-align:3px}
.legend i.band{background:var(--critical);opacity:.18}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px}
table.detail{width:100%}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
thead th{background:var(--soft);font-size:12px;color:var(--muted);font-weight:600}
td.name{font-weight:600;overflow-wrap:break-word;max-width:260px}
.sub{display:block;color:var(--muted);font-size:11px;font-weight:400}
table.detail th,table.detail td{padding:6px 6px}
tr.drift td{background:var(--bad-bg)}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;
white-space:nowrap}.pill.bad{background:var(--critical);color:#fff}
.pill.good{background:#ecfdf3;color:#067647;border:1px solid #abefc6}
table.heatmap{border-collapse:separate;border-spacing:2px;width:max-content}
.heatmap th,.heatmap td{border:0;padding:0}
.heatmap th.feat{text-align:left;font-weight:600;font-size:12px;padding:2px 10px 2px 0;
position:sticky;left:0;z-index:1;background:#fff;
min-width:90px;max-width:180px;width:180px;overflow-wrap:break-word;color:var(--ink)}
.heatmap th.win{vertical-align:bottom;background:none;height:52px;min-width:18px}
.heatmap th.win span{writing-mode:vertical-rl;transform:rotate(180deg);font-size:11px;
font-weight:400;color:var(--muted);white-space:nowrap}
.heatmap td.cell{width:20px;min-width:18px;height:22px;border-radius:3px;text-align:center;
font-size:10px;color:#fff;line-height:22px}
.s-1{background:#cfd6de}.s0{background:#eef4fb}.s1{background:#fde9c9}.s2{background:#f9b66d}
.s3{background:#e8613a}.s4{background:#a4161a}.none{background:repeating-linear-gradient(45deg,
#fff,#fff 3px,#eef1f4 3px,#eef1f4 6px)}
.heatmap td.s0.drifted,.heatmap td.s1.drifted{color:var(--critical)}
.legend i.drifted{background:#fff;border:1px solid var(--line);border-radius:50%;
box-shadow:inset 0 0 0 3px #fff,inset 0 0 0 6px var(--critical)}
.legend i.none{border:1px solid var(--line)}
footer{margin-top:36px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);
font-size:12px}footer p{margin:4px 0;max-width:110ch}
.empty{color:var(--muted);font-style:italic}
@media (max-width:760px){table.heatmap{border-spacing:1px}
.heatmap th.feat{width:120px;min-width:80px;max-width:120px}
.heatmap td.cell,.heatmap th.win{width:15px;min-width:15px}}
@media print{@page{size:A4 landscape;margin:12mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:none;padding:0}.scroll{overflow:visible}figure,tr{break-inside:avoid}
h2,h3{break-after:avoid}}
"""
