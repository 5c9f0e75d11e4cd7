// SPDX-License-Identifier: GPL-2.0-or-later
// app.js - the vnet web console: polls the JSON API (/api/v1, one URL per control command) once a
// second and redraws switches, ports with live rates, the MAC table, DHCP leases, NAT forwards and
// an SVG topology. Everything from the daemon is put on the page as text (textContent), never as
// markup. No framework, no build step.
'use strict';

const POLL_MS = 1000;
const FDB_ROWS_MAX = 500; // MAC rows drawn per switch; the rest are counted
const TOPO_PORTS_MAX = 48; // ports drawn per switch in the topology; the rest are summarised
const UPLINK_TYPES = new Set(['vxlan', 'gateway', 'afpacket']);

const prev = new Map(); // "switch/port" -> {t, rx_packets, tx_packets, rx_bytes, tx_bytes}
let firstRender = true;

function token() {
	return sessionStorage.getItem('vnet-token') || '';
}

async function api(cmd, args = []) {
	const path = '/api/v1/' + cmd + args.map((a) => '/' + encodeURIComponent(a)).join('');
	const r = await fetch(path, { cache: 'no-store' });
	const j = await r.json();
	if (!j.ok) throw new Error(cmd + ': ' + j.error);
	return j.result;
}

async function apiPost(cmd, args) {
	const headers = { 'Content-Type': 'application/json' };
	if (token()) headers.Authorization = 'Bearer ' + token();
	const r = await fetch('/api/v1/' + cmd, {
		method: 'POST',
		headers,
		body: JSON.stringify({ args }),
	});
	return { status: r.status, body: await r.json() };
}

// el('td', {class: 'num'}, 'text', child...) - an element with attributes and text/children
function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
	for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
	return e;
}

function svg(tag, attrs, text) {
	const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
	if (text !== undefined) e.textContent = text;
	return e;
}

function table(head, rows, numCols = new Set()) {
	const t = el('table');
	const hr = el('tr');
	head.forEach((h, i) => hr.append(el('th', numCols.has(i) ? { class: 'num' } : {}, h)));
	t.append(el('thead', {}, hr));
	const tb = el('tbody');
	for (const r of rows) tb.append(r);
	t.append(tb);
	return t;
}

function si(v, unit) {
	const p = ['', 'k', 'M', 'G', 'T'];
	let i = 0;
	while (Math.abs(v) >= 1000 && i < p.length - 1) {
		v /= 1000;
		i++;
	}
	return (i ? v.toFixed(1) : Math.round(v)) + ' ' + p[i] + unit;
}

function vlanText(p) {
	const tr = p.trunks && p.trunks.length ? p.trunks.join(',') : 'all';
	if (p.vlan_mode === 'access') return 'access ' + p.tag;
	if (p.vlan_mode === 'trunk') return 'trunk ' + tr;
	return (p.vlan_mode || '?') + ' ' + (p.tag ?? '') + ' +' + tr;
}

// What sits behind a port, for the topology: a VM, a namespace, the host, a tunnel's remotes.
function peerLabel(p) {
	const i = p.info || {};
	switch (p.type) {
	case 'vhost-user':
		return 'VM ' + String(i.path || '').split('/').pop() + (i.connected ? '' : ' (not connected)');
	case 'tap':
		return 'VM/netns on ' + (i.ifname || '?');
	case 'internal':
		return 'host ' + (i.ifname || '') + (i.address ? ' ' + i.address : '');
	case 'vxlan':
		if (p.remotes && p.remotes.length) return 'VTEPs ' + p.remotes.join(', ');
		return 'VTEPs: ' + (i.vteps ?? 0) + ' (local ' + (i.local || '') + ')';
	case 'gateway':
		return (i.mode === 'nat' ? 'NAT to the host network' : 'services ' + (i.mode || '')) + ' (' + (i.gateway || '') + ')';
	case 'afpacket':
		return 'LAN via ' + (i.ifname || '?');
	case 'dummy':
		return 'test endpoint';
	default:
		return p.type + ' peer';
	}
}

function rates(sw, st, now) {
	const key = sw + '/' + st.name;
	const old = prev.get(key);
	prev.set(key, { t: now, rx_packets: st.rx_packets, tx_packets: st.tx_packets, rx_bytes: st.rx_bytes, tx_bytes: st.tx_bytes });
	if (!old || now <= old.t) return null;
	const dt = (now - old.t) / 1000;
	const d = (k) => Math.max(0, st[k] - old[k]) / dt;
	return { rxp: d('rx_packets'), txp: d('tx_packets'), rxb: d('rx_bytes') * 8, txb: d('tx_bytes') * 8 };
}

function renderSwitch(s, now) {
	const byName = new Map(s.stats.ports.map((p) => [p.name, p]));
	const rows = s.ports.map((p) => {
		const st = byName.get(p.name) || {};
		const r = st.name ? rates(s.name, st, now) : null;
		const tr = el('tr', { 'data-port': s.name + '/' + p.name, class: p.state === 'up' ? 'up' : 'down' });
		const cells = [
			[p.name, 'name'],
			[p.type, 'type'],
			[el('span', { class: 'badge ' + p.state }, p.state === 'up' ? 'up' : p.state + (p.down_reason ? ': ' + p.down_reason : '')), 'state'],
			[p.trunks === undefined ? '-' : vlanText(p), 'vlan'],
			[r ? si(r.rxp, 'pps') : '-', 'rx-rate num'],
			[r ? si(r.txp, 'pps') : '-', 'tx-rate num'],
			[r ? si(r.rxb, 'bit/s') : '-', 'rx-bps num'],
			[r ? si(r.txb, 'bit/s') : '-', 'tx-bps num'],
			[st.rx_packets ?? '-', 'rx-packets num'],
			[st.tx_packets ?? '-', 'tx-packets num'],
			[st.drops_total ?? '-', 'drops num'],
		];
		for (const [v, cls] of cells) tr.append(el('td', { class: cls }, v));
		return tr;
	});
	const fdb = s.stats.fdb || {};
	return el('div', { class: 'switch', 'data-switch': s.name },
		el('div', { class: 'switch-head' },
			el('h3', {}, 'switch ' + s.name),
			el('span', { class: 'hint' }, s.ports.length + ' ports, ' + (fdb.entries ?? 0) + '/' + (fdb.max ?? '?') +
				' MACs, learned ' + (fdb.learned ?? 0) + ', moves ' + (fdb.moves ?? 0))),
		table(['port', 'type', 'state', 'VLAN', 'rx', 'tx', 'rx bits', 'tx bits', 'rx packets', 'tx packets', 'drops'], rows,
			new Set([4, 5, 6, 7, 8, 9, 10])));
}

function renderFdb(s) {
	const rows = s.fdb.slice(0, FDB_ROWS_MAX).map((e) =>
		el('tr', {}, el('td', {}, e.mac), el('td', { class: 'num' }, e.vlan), el('td', {}, e.port),
			el('td', { class: 'num' }, e.static ? 'static' : e.age + ' s')));
	const box = el('div', {}, el('h3', {}, 'switch ' + s.name + ' (' + s.fdb.length + ' entries)'));
	if (s.fdb.length) box.append(table(['MAC', 'VLAN', 'port', 'age'], rows, new Set([1, 3])));
	if (s.fdb.length > FDB_ROWS_MAX) box.append(el('p', { class: 'more' }, (s.fdb.length - FDB_ROWS_MAX) + ' more not shown'));
	return box;
}

function renderLeases(n) {
	const rows = n.leases.leases.map((l) =>
		el('tr', {}, el('td', {}, l.ip), el('td', {}, l.mac), el('td', {}, l.state), el('td', {}, l.hostname || ''),
			el('td', {}, l.port || ''), el('td', { class: 'num' }, l.expires_in + ' s')));
	for (const r of n.leases.reservations || [])
		rows.push(el('tr', {}, el('td', {}, r.ip), el('td', {}, r.mac), el('td', {}, 'reserved'), el('td', {}, r.hostname || ''), el('td', {}, ''), el('td', {}, '')));
	const box = el('div', {}, el('h3', {}, 'network ' + n.name + ' (' + n.mode + ', ' + n.subnet + '/' + n.prefix + ')'));
	box.append(rows.length ? table(['IP', 'MAC', 'state', 'hostname', 'port', 'expires in'], rows, new Set([5])) : el('p', { class: 'empty' }, 'no leases'));
	return box;
}

function renderNat(n) {
	const rows = n.forwards.map((f) =>
		el('tr', {}, el('td', {}, f.proto), el('td', {}, f.host + ':' + f.host_port), el('td', {}, f.guest + ':' + f.guest_port),
			el('td', {}, f.active ? 'active' : 'inactive: ' + (f.error || '?'))));
	const box = el('div', {}, el('h3', {}, 'network ' + n.name + ' (' + (n.n_flows ?? 0) + ' flows)'));
	box.append(rows.length ? table(['proto', 'host', 'VM', 'state'], rows) : el('p', { class: 'empty' }, 'no forwards'));
	return box;
}

// Columns: peers (VMs, hosts) -> ports -> switch -> uplink ports -> remotes (tunnels, NAT, LAN).
function renderTopology(switches) {
	const root = document.getElementById('topology');
	const X = [10, 250, 440, 600, 790], W = [220, 160, 130, 160, 200], H = 18, GAP = 24;
	const g = svg('g');
	let y = 10;
	const node = (col, yy, text, cls) => {
		const n = svg('g', { class: 'node ' + cls });
		n.append(svg('rect', { x: X[col], y: yy, width: W[col], height: H, rx: 4 }));
		const t = svg('text', { x: X[col] + 6, y: yy + 13 }, text.length > 30 ? text.slice(0, 29) + '…' : text);
		n.append(svg('title', {}, text));
		n.append(t);
		g.append(n);
	};
	const link = (c1, y1, c2, y2, down) =>
		g.append(svg('line', { x1: X[c1] + W[c1], y1: y1 + H / 2, x2: X[c2], y2: y2 + H / 2, class: down ? 'down' : '' }));
	for (const s of switches) {
		const local = s.ports.filter((p) => !UPLINK_TYPES.has(p.type));
		const up = s.ports.filter((p) => UPLINK_TYPES.has(p.type));
		const shownL = local.slice(0, TOPO_PORTS_MAX), shownU = up.slice(0, TOPO_PORTS_MAX);
		const rowsL = shownL.length + (local.length > shownL.length ? 1 : 0);
		const rows = Math.max(rowsL, shownU.length, 1);
		const swH = rows * GAP - (GAP - H);
		const sy = y;
		const sw = svg('g', { class: 'node switch', 'data-switch': s.name });
		sw.append(svg('rect', { x: X[2], y: sy, width: W[2], height: swH, rx: 6 }));
		sw.append(svg('text', { x: X[2] + 8, y: sy + swH / 2 + 4 }, 'switch ' + s.name));
		shownL.forEach((p, i) => {
			const py = y + i * GAP, down = p.state !== 'up';
			node(0, py, peerLabel(p), 'endpoint');
			node(1, py, p.name + ' (' + p.type + ')', 'port' + (down ? ' down' : ''));
			link(0, py, 1, py, down);
			g.append(svg('line', { x1: X[1] + W[1], y1: py + H / 2, x2: X[2], y2: sy + swH / 2, class: down ? 'down' : '' }));
		});
		if (local.length > shownL.length) node(1, y + shownL.length * GAP, '+' + (local.length - shownL.length) + ' more ports', 'port');
		shownU.forEach((p, i) => {
			const py = y + i * GAP, down = p.state !== 'up';
			node(3, py, p.name + ' (' + p.type + ')', 'port' + (down ? ' down' : ''));
			node(4, py, peerLabel(p), 'remote');
			g.append(svg('line', { x1: X[2] + W[2], y1: sy + swH / 2, x2: X[3], y2: py + H / 2, class: down ? 'down' : '' }));
			link(3, py, 4, py, down);
		});
		g.append(sw);
		y += rows * GAP + 16;
	}
	root.replaceChildren(g);
	root.setAttribute('height', Math.max(40, y));
	root.setAttribute('viewBox', '0 0 1000 ' + Math.max(40, y));
}

async function poll() {
	const status = document.getElementById('status');
	try {
		const list = await api('switch/list');
		const now = performance.now();
		const switches = await Promise.all(list.map(async (s) => {
			const [ports, stats, fdb] = await Promise.all([api('port/list', [s.name]), api('stats/show', [s.name]), api('fdb/show', [s.name])]);
			// the far ends of each VXLAN port: its remote VTEPs (vxlan/show)
			for (const p of ports.filter((x) => x.type === 'vxlan' && x.state === 'up')) {
				try {
					const vx = await api('vxlan/show', [s.name, 'port=' + p.name]);
					p.remotes = (vx.vteps || []).map((v) => v.address);
				} catch (e) {
					p.remotes = null;
				}
			}
			return { name: s.name, ports, stats, fdb };
		}));
		const nets = await api('network/list');
		const networks = await Promise.all(nets.map(async (n) => {
			const leases = await api('dhcp/leases', [n.name]);
			const forwards = n.mode === 'nat' ? await api('nat/forward-list', [n.name]) : [];
			return { ...n, leases, forwards };
		}));
		const swBox = document.getElementById('switches');
		swBox.replaceChildren(...(switches.length ? switches.map((s) => renderSwitch(s, now)) : [el('p', { class: 'empty' }, 'no switches')]));
		document.getElementById('fdb').replaceChildren(...switches.map(renderFdb));
		document.getElementById('leases').replaceChildren(...(networks.length ? networks.map(renderLeases) : [el('p', { class: 'empty' }, 'no networks')]));
		const nat = networks.filter((n) => n.mode === 'nat');
		document.getElementById('nat').replaceChildren(...(nat.length ? nat.map(renderNat) : [el('p', { class: 'empty' }, 'no NAT networks')]));
		renderTopology(switches);
		status.textContent = 'live, updated ' + new Date().toLocaleTimeString();
		status.className = 'status';
		if (firstRender) {
			firstRender = false;
			performance.mark('vnet-first-render');
			document.body.dataset.rendered = '1';
		}
	} catch (e) {
		status.textContent = 'error: ' + e.message;
		status.className = 'status error';
	}
	setTimeout(poll, POLL_MS);
}

async function runCommand(ev) {
	ev.preventDefault();
	const out = document.getElementById('command-output');
	const words = document.getElementById('command').value.trim().split(/\s+/).filter(Boolean);
	if (!words.length) return;
	try {
		const { status, body } = await apiPost(words[0], words.slice(1));
		out.textContent = 'HTTP ' + status + '\n' + (body.ok ? body.text || JSON.stringify(body.result, null, 2) : body.error);
	} catch (e) {
		out.textContent = 'error: ' + e.message;
	}
}

document.addEventListener('DOMContentLoaded', () => {
	document.getElementById('token').value = token();
	document.getElementById('token-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		sessionStorage.setItem('vnet-token', document.getElementById('token').value.trim());
	});
	document.getElementById('command-form').addEventListener('submit', runCommand);
	api('version').then((v) => { document.getElementById('version').textContent = v.version; }).catch(() => {});
	poll();
});
