/** The page's stylesheet, served at `/ui/status-page.css`. */
export const STYLESHEET = `:root {
  --fg: #1d2330; --dim: #6b7385; --line: #e4e7ee; --bg: #f5f6f9; --card: #fff;
  --green: #137a43; --green-bg: #e3f5ea; --red: #b42318; --red-bg: #fde8e6;
  --amber: #8a5a00; --amber-bg: #fdf1d8; --grey: #555d6e; --grey-bg: #eceef2; --blue: #1f5fbf;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #151a26; color: #fff; }
header h1 { margin: 0; font-size: 17px; font-weight: 650; letter-spacing: .2px; }
header .sub { color: #aab2c5; }
#live { margin-left: auto; display: inline-flex; align-items: center; gap: 7px; padding: 3px 10px;
  border-radius: 999px; background: #262d3d; color: #cfd5e3; font-size: 12px; }
#live .dot { width: 8px; height: 8px; border-radius: 50%; background: #8a93a6; }
#live[data-state="live"] .dot { background: #3ddc84; box-shadow: 0 0 0 0 rgba(61,220,132,.7); animation: pulse 2s infinite; }
#live[data-state="connecting"] .dot, #live[data-state="reconnecting"] .dot { background: #f5b942; }
#live[data-state="stale"] .dot { background: #ff6b5e; }
#live.flash { animation: flash .6s; }
@keyframes pulse { 70% { box-shadow: 0 0 0 7px rgba(61,220,132,0); } 100% { box-shadow: 0 0 0 0 rgba(61,220,132,0); } }
@keyframes flash { from { background: #3b4a6b; } to { background: #262d3d; } }
main { padding: 14px 24px 24px; max-width: 1280px; }
.controller { margin: 0 0 12px; color: var(--dim); }
.controller b { color: var(--fg); font-weight: 600; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin-bottom: 14px; overflow: hidden; }
h2 { margin: 0; padding: 9px 14px; font-size: 13px; font-weight: 650; border-bottom: 1px solid var(--line); }
h2 .count { margin-left: 4px; padding: 0 7px; border-radius: 999px; background: var(--grey-bg); color: var(--grey); font-weight: 500; font-size: 11px; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--dim); font-size: 11px; text-transform: uppercase; letter-spacing: .4px; padding: 6px 14px; background: #fafbfc; border-bottom: 1px solid var(--line); }
td { padding: 6px 14px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover { background: #fafbfd; }
td.name, td.holder, td time { white-space: nowrap; }
td.name { font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", monospace; font-size: 12px; }
.dim, .none, time { color: var(--dim); }
.empty { margin: 0; padding: 10px 14px; color: var(--dim); }
.phase, .cond, .label, .pair, .event, .paused, .free { display: inline-block; margin: 0 4px 2px 0; padding: 0 7px; border-radius: 4px; font-size: 12px; line-height: 19px; white-space: nowrap; }
.phase { font-weight: 600; min-width: 68px; text-align: center; }
.phase-Present { background: var(--green-bg); color: var(--green); }
.phase-Lost { background: var(--red-bg); color: var(--red); }
.phase-Departed { background: var(--grey-bg); color: var(--grey); }
.phase-Unknown { background: var(--amber-bg); color: var(--amber); }
tr.phase-row-Lost td.name { color: var(--red); }
.cond-good { background: var(--green-bg); color: var(--green); }
.cond-bad { background: var(--red-bg); color: var(--red); }
.cond-unknown { background: var(--amber-bg); color: var(--amber); }
.cond-neutral { background: var(--grey-bg); color: var(--grey); }
.label { background: #eaf1fc; color: var(--blue); }
.pair { background: var(--grey-bg); color: var(--grey); }
.paused { background: var(--amber-bg); color: var(--amber); }
.free { background: var(--grey-bg); color: var(--grey); }
.event { background: var(--grey-bg); color: var(--grey); font-weight: 600; }
.event-CellLost { background: var(--red-bg); color: var(--red); }
.event-CellRegistered, .event-HolderChanged { background: var(--green-bg); color: var(--green); }
.event-CellDeparted, .event-HolderReleased { background: var(--amber-bg); color: var(--amber); }
tr.invalid td { color: var(--red); }
.warn { color: var(--amber); }
footer { padding: 0 24px 20px; color: var(--dim); font-size: 12px; }
footer a { color: var(--blue); }
`;
