import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { jsxRenderer } from 'hono/jsx-renderer'
import type { SystemDescription } from '../systems/index.js'
import { usePageMode } from './links.js'

/** Props every page passes to `c.render(content, props)`. */
export interface PageProps {
  readonly title: string
  /** Nav entry to highlight: "/", "/iris", "/iris/monitor", … */
  readonly active?: string
}

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: PageProps): Response | Promise<Response>
  }
}

const CSS = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f5f6f8;--card:#fff;--accent:#2563eb;--ok:#15803d;--bad:#b91c1c;--warn:#b45309;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg);line-height:1.5;font-size:15px}
*{box-sizing:border-box}body{margin:0}a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:#111827;color:#fff}header.top .in{max-width:1160px;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1.25rem}
.brand{font-weight:700;color:#fff;letter-spacing:.01em;margin-right:.5rem}.brand span{color:#93c5fd}
nav.main{display:flex;flex-wrap:wrap;gap:.15rem .3rem}nav.main a{color:#d1d5db;padding:.3rem .6rem;border-radius:6px;font-size:.93rem}
nav.main a:hover{background:#1f2937;text-decoration:none;color:#fff}nav.main a.on{background:#374151;color:#fff}
main{max-width:1160px;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 .3rem;line-height:1.25}h2{font-size:1.1rem;margin:0 0 .75rem}h3{font-size:1rem;margin:1rem 0 .5rem}
p.lead{color:var(--muted);margin:0 0 1.25rem;max-width:60rem}.muted{color:var(--muted)}.small{font-size:.85rem}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));align-items:start}.grid.two{grid-template-columns:repeat(auto-fit,minmax(340px,1fr))}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.1rem 1.2rem;box-shadow:0 1px 2px rgba(0,0,0,.04);min-width:0}
.card+.card,.grid+.card,.card+.grid,.grid+.grid{margin-top:1rem}.grid>.card{margin-top:0}.card>h2:first-child{display:flex;justify-content:space-between;align-items:baseline;gap:.5rem;flex-wrap:wrap}
.stack>*+*{margin-top:1rem}.row{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.table-wrap{overflow-x:auto;margin:0 -.2rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}th{font-weight:600;color:#374151;background:#f9fafb}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tbody tr:hover{background:#f9fafb}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.78rem;font-weight:600;background:#eef2ff;color:#3730a3;white-space:nowrap}
.badge.ok{background:#dcfce7;color:#166534}.badge.bad{background:#fee2e2;color:#991b1b}.badge.warn{background:#fef3c7;color:#92400e}.badge.idle{background:#f3f4f6;color:#4b5563}
.dot{display:inline-block;width:.65rem;height:.65rem;border-radius:50%;margin-right:.35rem;vertical-align:baseline}
.kpis{display:flex;flex-wrap:wrap;gap:.75rem}.kpi{background:#f9fafb;border:1px solid var(--line);border-radius:10px;padding:.5rem .8rem;min-width:8rem}
.kpi b{display:block;font-size:1.25rem}.kpi>span{color:var(--muted);font-size:.8rem}
.chart{overflow-x:auto}/* a wide time chart keeps a readable size on a phone and scrolls in its card */.chart svg{max-width:100%;height:auto;display:block}.chart-files{display:inline-block;margin-top:.3rem}.pic svg{width:100%;height:auto;display:block}
form.predict .field{margin-bottom:1rem}form.predict label.name{display:block;font-weight:600;margin-bottom:.3rem}
.inputs{display:flex;gap:.6rem;align-items:center}.inputs input[type=range]{flex:1;min-width:0;accent-color:var(--accent)}
input[type=number],input.num,select{font:inherit;padding:.4rem .5rem;border:1px solid #d1d5db;border-radius:8px;background:#fff;color:inherit}
input[type=number],input.num{width:6.5rem}select{min-width:12rem;max-width:100%}
.unit{color:var(--muted);font-size:.9rem;min-width:2.5rem}.help{color:var(--muted);font-size:.82rem;margin:.2rem 0 0}
.choices{display:flex;flex-wrap:wrap;gap:.4rem}.choices label{display:inline-flex;align-items:center;gap:.35rem;border:1px solid #d1d5db;border-radius:8px;padding:.35rem .7rem;cursor:pointer;background:#fff}
.choices label:has(input:checked){border-color:var(--accent);background:#eff6ff}
.field.invalid input,.field.invalid select{border-color:var(--bad);background:#fef2f2}.error{color:var(--bad);font-size:.85rem;margin:.3rem 0 0;font-weight:500}
.js-only{display:none}html.js .js-only{display:block}html.js input.js-only{display:inline-block}
button{font:inherit;font-weight:600;background:var(--accent);color:#fff;border:0;border-radius:8px;padding:.55rem 1.3rem;cursor:pointer}button:hover{background:#1d4ed8}
button[disabled]{opacity:.6;cursor:progress}
.result{display:flex;gap:1.25rem;flex-wrap:wrap;align-items:center}.result .pic{width:180px;flex:none}
.answer{font-size:1.9rem;font-weight:750;line-height:1.15}.bars{margin-top:.8rem}.bar{display:grid;grid-template-columns:6.5rem 1fr 4rem;gap:.5rem;align-items:center;font-size:.9rem;margin:.25rem 0}
.bar .track{background:#f3f4f6;border-radius:999px;height:.8rem;overflow:hidden}.bar .fill{height:100%;border-radius:999px}
.notice{border-left:4px solid var(--warn);background:#fffbeb;padding:.6rem .8rem;border-radius:6px;margin:.5rem 0}
.notice.err{border-color:var(--bad);background:#fef2f2}
.pair{display:flex;gap:1rem;flex-wrap:wrap}.pair figure{margin:0;text-align:center}.pair figcaption{font-weight:600;margin-top:.3rem}
.pair .pic{width:150px;margin:0 auto}
pre{background:#f9fafb;border:1px solid var(--line);border-radius:8px;padding:.7rem;overflow-x:auto;font-size:.82rem}
form.action{display:inline-flex;flex-wrap:wrap;gap:.3rem;align-items:center;margin:0}form.action button{padding:.3rem .8rem;font-size:.85rem}
.wrap{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}td .wrap{display:inline-block;min-width:12rem;max-width:36rem}
pre.log{max-height:32rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}.filters label{display:inline-flex;gap:.3rem;align-items:center}
input[type=password]{font:inherit;padding:.4rem .5rem;border:1px solid #d1d5db;border-radius:8px;max-width:100%}
a.example{display:inline-block;border:1px solid #d1d5db;border-radius:999px;padding:.2rem .8rem;background:#fff;font-size:.9rem}
a.example:hover{border-color:var(--accent);text-decoration:none}.examples{margin-bottom:1rem}
#use-api pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4rem 0 .6rem}#use-api summary{cursor:pointer;font-weight:600;font-size:.9rem}
td .features{display:inline-block;white-space:normal;min-width:16rem;max-width:34rem;font-size:.85rem}
footer{max-width:1160px;margin:0 auto;padding:0 1rem 2rem;color:var(--muted);font-size:.8rem}
@media (max-width:600px){main{padding:1rem .7rem 2rem}h1{font-size:1.35rem}.card{padding:.9rem}.result .pic{width:140px}.answer{font-size:1.5rem}
 .bar{grid-template-columns:5.5rem 1fr 3.6rem}th,td{padding:.35rem .4rem}
 .chart.wide svg{max-width:none;width:560px}
 table.stack thead{display:none}table.stack tr{display:block;padding:.45rem 0;border-bottom:1px solid var(--line)}
 table.stack td{display:flex;flex-wrap:wrap;justify-content:flex-end;gap:.4rem;align-items:baseline;border:0;padding:.15rem .2rem;text-align:right;overflow-wrap:anywhere;min-width:0}
 table.stack,table.stack tbody{display:block;width:100%}
 table.stack td::before{content:attr(data-label);font-weight:600;color:var(--muted);text-align:left;flex:1 0 auto;margin-right:.4rem}
 table.stack td[data-label=""]::before,table.stack td:not([data-label])::before{content:none}}
`

// Progressive enhancement only: sliders mirror number inputs, and the predict form answers without a reload.
const SCRIPT = `
function smlBind(root){
  root.querySelectorAll('input[type=range][data-for]').forEach(function(r){
    var n=document.getElementById(r.dataset.for);if(!n)return;
    r.addEventListener('input',function(){n.value=r.value;n.dispatchEvent(new Event('change'))});
    n.addEventListener('input',function(){if(n.value!==''&&!isNaN(+n.value))r.value=n.value});
  });
  root.querySelectorAll('form[data-enhance]').forEach(function(f){
    f.addEventListener('submit',function(e){
      // A live form answers its submit like an edit: one request per distinct set of inputs (smlLive).
      if(f.smlUpdate){e.preventDefault();f.smlUpdate(true);return}
      e.preventDefault();var b=f.querySelector('button[type=submit]');if(b)b.disabled=true;
      var body=new URLSearchParams(new FormData(f));
      fetch(f.action,{method:'POST',body:body,headers:{'content-type':'application/x-www-form-urlencoded'}}).then(function(res){return res.text()}).then(function(html){
        var doc=new DOMParser().parseFromString(html,'text/html');var next=doc.getElementById(f.dataset.enhance);var cur=document.getElementById(f.dataset.enhance);
        if(next&&cur){cur.replaceWith(next);smlBind(next);smlLive(next)}else{f.submit()}
        history.replaceState(null,'',f.action+'?'+body.toString());
      }).catch(function(){f.submit()});
    });
  });
}
// The predict form answers as it is edited (debounced), on submit and when an example fills it: the page's own POST
// answers, and only the result and the API snippets are swapped, so focus and typing are never disturbed.
// Every POST is a logged request that the monitor counts, so inputs already sent are not sent again: typing a value,
// leaving the field (change) and clicking Predict is one request, not three; a failed request may be retried.
function smlLive(root){
  root.querySelectorAll('form[data-live]').forEach(function(f){
    if(f.dataset.liveBound)return;f.dataset.liveBound='1';
    var ids=f.dataset.live.split(' ');var timer=null;var seq=0;var sent=null;
    function update(submitted){
      var body=new URLSearchParams(new FormData(f));var key=body.toString();
      if(key===sent)return;sent=key;var mine=++seq;
      fetch(f.action,{method:'POST',body:body,headers:{'content-type':'application/x-www-form-urlencoded'}}).then(function(res){return res.text()}).then(function(html){
        if(mine!==seq)return;var doc=new DOMParser().parseFromString(html,'text/html');
        ids.forEach(function(id){var next=doc.getElementById(id);var cur=document.getElementById(id);if(next&&cur)cur.replaceWith(next)});
        f.querySelectorAll('[data-field]').forEach(function(el){
          var next=doc.querySelector('form[data-live] [data-field="'+el.dataset.field+'"]');if(!next)return;
          el.className=next.className;var old=el.querySelector('.error');if(old)old.remove();var err=next.querySelector('.error');if(err)el.appendChild(err);
        });
        var note=f.querySelector('p.notice.err');if(note)note.remove();var nextNote=doc.querySelector('form[data-live] p.notice.err');if(nextNote)f.insertBefore(nextNote,f.firstChild);
        history.replaceState(null,'',f.action+'?'+key);
      }).catch(function(){if(sent===key)sent=null;if(submitted)f.submit()});
    }
    function later(){clearTimeout(timer);timer=setTimeout(update,300)}
    f.addEventListener('input',later);f.addEventListener('change',later);
    f.smlUpdate=function(submitted){clearTimeout(timer);update(submitted===true)};
  });
  if(root!==document)return;
  document.querySelectorAll('a.example[data-example]').forEach(function(a){
    a.addEventListener('click',function(e){
      var f=document.querySelector('form[data-live]');if(!f||!f.smlUpdate)return;
      e.preventDefault();var v=JSON.parse(a.dataset.example);
      Object.keys(v).forEach(function(k){
        f.querySelectorAll('[name="'+k+'"]').forEach(function(el){if(el.type==='radio')el.checked=el.value===String(v[k]);else el.value=String(v[k])});
        var r=f.querySelector('input[type=range][data-for="f-'+k+'"]');if(r)r.value=String(v[k]);
      });
      f.smlUpdate();
    });
  });
}
// Actions post by fetch (the CSRF token travels as a header too) and show a refusal inline.
function smlActions(root){
  root.querySelectorAll('form[data-action]').forEach(function(f){
    f.addEventListener('submit',function(e){
      e.preventDefault();var b=f.querySelector('button[type=submit]');var msg=f.querySelector('.action-msg');if(b)b.disabled=true;if(msg)msg.textContent='';
      var body=new URLSearchParams(new FormData(f));var t=f.querySelector('input[name=_csrf]');
      fetch(f.action,{method:'POST',body:body,credentials:'same-origin',headers:{'content-type':'application/x-www-form-urlencoded','x-csrf-token':t?t.value:''}}).then(function(res){
        if(res.ok){location.href=res.url;return}
        return res.json().then(function(j){if(msg)msg.textContent=j.error||('refused: '+res.status)},function(){if(msg)msg.textContent='refused: '+res.status});
      }).catch(function(err){if(msg)msg.textContent=String(err)}).then(function(){if(b)b.disabled=false});
    });
  });
  root.querySelectorAll('[data-sign-out]').forEach(function(b){b.addEventListener('click',function(){fetch('/api/admin/session',{method:'DELETE',credentials:'same-origin'}).then(function(){location.reload()})})});
  // A running run's log is tailed from the JSON API until the run ends, then the page reloads once.
  var log=root.querySelector('pre.log[data-run]');
  if(log){var id=log.dataset.run;var timer=setInterval(function(){fetch('/api/runs/'+id).then(function(r){return r.json()}).then(function(j){
    log.textContent=j.logs.map(function(l){return l.at+' '+(l.level+'     ').slice(0,5)+' '+l.message}).join('\\n')||'(no log lines yet)';
    if(j.status!=='running'){clearInterval(timer);location.reload()}
  })},2000)}
}
document.addEventListener('DOMContentLoaded',function(){smlBind(document);smlActions(document);smlLive(document)});
`

const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#111827"/><path d="M3 11l3-4 3 2 4-6" stroke="#93c5fd" stroke-width="2" fill="none"/></svg>')}`

/**
 * The one document shell: head, nav over every system, main content. In a static export (see links.tsx) the nav
 * keeps only the pages the export wrote, and there is no script: the pages read the same without one.
 */
/** Each system's name in the menu: its shortTitle, else its title's first word; systems that would share one show their titles. */
export function menuLabels(systems: readonly SystemDescription[]): Map<string, string> {
  const short = (s: SystemDescription) => s.shortTitle ?? s.title.split(' ')[0]
  const count = new Map<string, number>()
  for (const s of systems) count.set(short(s), (count.get(short(s)) ?? 0) + 1)
  return new Map(systems.map((s) => [s.name, count.get(short(s))! > 1 ? s.title : short(s)]))
}

export function Document(props: { systems: readonly SystemDescription[]; title: string; active?: string; children?: Child }) {
  const mode = usePageMode()
  // A static export has no predict page: a system's address there is its own dashboard.
  const links: [string, string][] = [['/', 'Dashboard']]
  const label = menuLabels(props.systems)
  for (const s of props.systems) links.push([`/${s.name}`, `${label.get(s.name)}${mode.static ? '' : ' predict'}`])
  for (const s of props.systems) links.push([`/${s.name}/monitor`, `${label.get(s.name)} monitor`])
  links.push(['/runs', 'Runs'], ['/pipelines', 'Pipelines'], ['/models', 'Models'], ['/feature-groups', 'Feature groups'], ['/feature-views', 'Feature views'], ['/admin', 'Admin'])
  const shown = links.flatMap(([path, label]) => {
    const href = mode.href(path)
    return href === null ? [] : [{ path, href, label }]
  })
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · serverless-ml`}</title>
        <link rel="icon" href={FAVICON} />
        {!mode.static && <script>{raw("document.documentElement.className='js'")}</script>}
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <header class="top">
          <div class="in">
            <a class="brand" href={mode.href('/') ?? undefined}>
              serverless<span>-ml</span>
            </a>
            <nav class="main" aria-label="Main">
              {shown.map(({ path, href, label }) => (
                <a href={href} class={props.active === path ? 'on' : undefined} aria-current={props.active === path ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
          </div>
        </header>
        <main>{props.children}</main>
        <footer>
          {mode.static ? (
            <>serverless-ml · a static export of the dashboard and monitors (<code>sml site</code>); predictions and actions need the live app (<code>sml serve</code>)</>
          ) : (
            <>
              serverless-ml · feature store, model registry, pipelines and monitoring on one store · <a href="/docs">JSON API</a> (<a href="/openapi.json">OpenAPI</a>)
            </>
          )}
        </footer>
        {!mode.static && <script>{raw(SCRIPT)}</script>}
      </body>
    </html>
  )
}

/** `jsxRenderer` middleware installing the layout; handlers call `c.render(<Page />, { title })`. */
export function layout(systems: readonly SystemDescription[]) {
  return jsxRenderer(({ children, title, active }) => (
    <Document systems={systems} title={title} active={active}>
      {children}
    </Document>
  ))
}
