"""The inline stylesheet and script of the HTML report (no external resources).

>>> "@media print" in STYLE and "localeCompare" in SCRIPT and "break-all" not in STYLE
True
"""

from __future__ import annotations

STYLE = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9dee4;--soft:#f5f7fa;--ref:#b3bcc6;--cur:#0b5cad;
--bad:#b42318;--bad-bg:#fef3f2;--good:#067647;--good-bg:#ecfdf3;--warn:#b54708}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 10px}
.meta{color:var(--muted);font-size:13px;margin:0}
.meta span+span::before{content:" · "}
.num,td.n{font-variant-numeric:tabular-nums}
.verdict{margin-top:20px;border:1px solid var(--line);border-left:6px solid var(--good);
border-radius:8px;padding:16px 20px;background:var(--good-bg)}
.verdict.drift{border-left-color:var(--bad);background:var(--bad-bg)}
.verdict h2{margin:0 0 4px;font-size:20px}
.verdict p{margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin-top:14px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fff}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.card .d{color:var(--muted);font-size:12px}
.explain{color:var(--muted);font-size:13px;margin:10px 0 0;max-width:90ch}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;
white-space:nowrap}
.pill.bad{background:var(--bad);color:#fff}.pill.good{background:var(--good-bg);color:var(--good);
border:1px solid #abefc6}
.pred{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:12px}
.pred .card h3,.dist h3{margin:0 0 6px;font-size:15px;overflow-wrap:break-word}
.pbody{display:flex;flex-wrap:wrap;gap:4px 32px;align-items:flex-start}
.pbody .chart{flex:1 1 320px}
.pred dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:6px 0 10px;font-size:13px;
flex:0 1 260px}
.pred dt{color:var(--muted)}.pred dd{margin:0;font-variant-numeric:tabular-nums}
.caption{color:var(--muted);font-size:12px}
.controls{display:flex;gap:16px;align-items:center;margin:0 0 10px;flex-wrap:wrap}
.controls input[type=search]{padding:6px 10px;border:1px solid var(--line);border-radius:6px;
font:inherit;min-width:240px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:7px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
td.n,th.n{text-align:right;white-space:nowrap}
thead th{background:var(--soft);font-size:12px;color:var(--muted);font-weight:600}
th button{all:unset;cursor:pointer}th button:hover{color:var(--ink)}
th button:focus-visible{outline:2px solid var(--cur);outline-offset:2px}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
tr.drift td{background:var(--bad-bg)}tr.drift td:first-child{box-shadow:inset 4px 0 var(--bad)}
td.name{font-weight:600;overflow-wrap:break-word;min-width:7em;max-width:16em}
#features tr>:first-child{position:sticky;left:0;z-index:1;width:68px;min-width:68px;max-width:68px}
#features tr>:nth-child(2){position:sticky;left:68px;z-index:1;box-shadow:inset -1px 0 var(--line)}
tr.ok>td:first-child,tr.ok>td:nth-child(2){background:#fff}
button.go{all:unset;cursor:pointer;overflow-wrap:break-word}button.go:hover{text-decoration:underline}
button.go:focus-visible{outline:2px solid var(--cur);outline-offset:2px}
.sub{display:block;color:var(--muted);font-size:11px;font-weight:400}
.bar{display:block;height:4px;background:var(--line);border-radius:2px;margin-top:3px;min-width:60px}
.bar i{display:block;height:4px;background:var(--cur);border-radius:2px}
tr.drift .bar i{background:var(--bad)}
.dists{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:12px}
.dist{border:1px solid var(--line);border-radius:8px;padding:12px 14px;min-width:0}
.dist:focus{outline:2px solid var(--cur);outline-offset:2px}
.dist[data-drift="1"]{border-color:#f3b8b2;box-shadow:inset 4px 0 var(--bad)}
.dist .caption{margin:0 0 6px;overflow-wrap:break-word}
.dist .why{margin:0 0 6px;font-size:12px;overflow-wrap:break-word}
.cnotes{margin:6px 0 0;padding-left:18px;color:var(--muted);font-size:12px}
.chart{display:block;width:100%;max-width:480px;height:auto;margin-top:4px}
.chart text{font-size:11px;fill:#52606d}.chart .legend text{fill:var(--ink)}
.chart .y text{text-anchor:end}.chart .x text{text-anchor:middle}
.chart .ref{fill:var(--ref)}.chart .cur{fill:var(--cur)}
.chart .cur-line{fill:none;stroke:var(--cur);stroke-width:2;stroke-linejoin:round}
.chart .grid{stroke:#e8ebef;fill:none}.chart .base{stroke:#7b8794;fill:none}
.chart .hit{fill:transparent}.chart .hit:hover{fill:rgba(31,41,51,.08)}
.nochart{color:var(--muted);font-size:12px}
.notes li{margin:3px 0}.notes code{background:var(--soft);padding:0 4px;border-radius:4px}
footer{margin-top:36px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);
font-size:12px}
footer p{margin:4px 0;max-width:110ch}
.empty{color:var(--muted);font-style:italic}
@media print{
@page{size:A4 landscape;margin:12mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:10pt}main{max-width:none;padding:0}
.controls input,.controls label{display:none}
thead{display:table-header-group}
.scroll{overflow:visible}button.go{text-decoration:none}#features tr>*{position:static}
.dists{grid-template-columns:repeat(3,1fr)}
tr,.card,.verdict,.dist{break-inside:avoid}
h2{break-after:avoid}
}
"""

SCRIPT = """
(function(){var t=document.getElementById('features');if(!t)return;var b=t.tBodies[0];
t.querySelectorAll('th[data-k] button').forEach(function(btn){btn.addEventListener('click',
function(){var th=btn.parentNode,k=th.dataset.k,num=th.dataset.t==='n',
asc=th.getAttribute('aria-sort')!=='ascending';
t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var a=x.dataset[k],
c=y.dataset[k];var r=num?(+a)-(+c):a.localeCompare(c);return asc?r:-r});
rows.forEach(function(r){b.appendChild(r)})})});
b.addEventListener('click',function(ev){var g=ev.target.closest('button.go');if(!g)return;
var c=document.getElementById(g.dataset.go);
if(c){c.scrollIntoView();c.focus({preventScroll:true})}});
var q=document.getElementById('q'),o=document.getElementById('only'),
cards=document.querySelectorAll('.dist');
function shown(el){return el.dataset.name.toLowerCase().indexOf(q.value.toLowerCase())>=0&&
(!o.checked||el.dataset.drift==='1')}
function f(){Array.prototype.forEach.call(b.rows,function(r){r.hidden=!shown(r)});
Array.prototype.forEach.call(cards,function(c){c.hidden=!shown(c)})}
q.addEventListener('input',f);o.addEventListener('change',f)})();
"""
