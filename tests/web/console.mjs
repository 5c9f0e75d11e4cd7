// SPDX-License-Identifier: GPL-2.0-or-later
// console.mjs - the web console in a real browser (Debian's Chromium, headless, driven by
// playwright-core). Run by tests/netns/99-web-console.sh, which starts vnetd with --web, a switch
// and two namespaces, and passes everything through the environment:
//   VNET_URL      the console, http://127.0.0.1:PORT/
//   VNETCTL       vnetctl binary; VNET_SOCKET its socket
//   VNET_SWITCH   the switch; VNET_NS_A/B, VNET_IF_A/B the namespaces and tap names for ports pa/pb
//   VNET_IP_B     pb's address, pinged from namespace A
//   VNET_TOKEN    the API token (STATE_DIR/web.token)
//   ARTIFACT_DIR  where the screenshot goes
// Each check prints "ok: ..."; the first failure throws (exit status 1).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (k) => {
	if (!process.env[k]) throw new Error(`environment variable ${k} is not set`);
	return process.env[k];
};
const URL = env('VNET_URL');
const SW = env('VNET_SWITCH');
const TIMEOUT_MS = 20000;

function sh(cmd, args) {
	return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const vnetctl = (...args) => sh(env('VNETCTL'), ['--socket', env('VNET_SOCKET'), ...args]);
const inNs = (ns, ...args) => sh('ip', ['netns', 'exec', ns, ...args]);
const ok = (msg) => console.log('ok: ' + msg);

function statsOf(port) {
	const j = JSON.parse(vnetctl('--json', 'stats/show', SW));
	return j.ports.find((p) => p.name === port);
}

// The number in a port row's cell (class CLS), or NaN
async function cell(page, port, cls) {
	const t = await page.locator(`tr[data-port="${SW}/${port}"] td.${cls.split(' ')[0]}`).textContent();
	return Number(t);
}

async function main() {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
	});
	try {
		const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
		const pageErrors = [];
		page.on('pageerror', (e) => pageErrors.push(e.message));
		await page.goto(URL);
		await page.waitForSelector('body[data-rendered="1"]', { timeout: TIMEOUT_MS });
		await page.waitForSelector(`div.switch[data-switch="${SW}"]`, { timeout: TIMEOUT_MS });
		ok(`the page shows switch ${SW}`);
		if ((await page.locator(`tr[data-port="${SW}/pa"]`).count()) !== 0)
			throw new Error('port pa is on the page before it was created');

		// Ports created by the CLI appear on the page.
		for (const [port, ns, ifname] of [['pa', env('VNET_NS_A'), env('VNET_IF_A')], ['pb', env('VNET_NS_B'), env('VNET_IF_B')]]) {
			vnetctl('port/add', SW, port, 'type=tap', `ifname=${ifname}`);
			sh('ip', ['link', 'set', 'dev', ifname, 'netns', ns]);
			inNs(ns, 'ip', 'link', 'set', 'dev', ifname, 'up');
		}
		inNs(env('VNET_NS_A'), 'ip', 'addr', 'add', '10.77.0.1/24', 'dev', env('VNET_IF_A'));
		inNs(env('VNET_NS_B'), 'ip', 'addr', 'add', env('VNET_IP_B') + '/24', 'dev', env('VNET_IF_B'));
		for (const port of ['pa', 'pb']) {
			await page.waitForSelector(`tr[data-port="${SW}/${port}"]`, { timeout: TIMEOUT_MS });
			const type = await page.locator(`tr[data-port="${SW}/${port}"] td.type`).textContent();
			if (type !== 'tap') throw new Error(`port ${port} shows type '${type}', expected tap`);
			ok(`port ${port}, created by vnetctl, appeared on the page as a tap`);
		}
		await page.waitForFunction((sw) => [...document.querySelectorAll('#topology text')].some((t) => t.textContent === 'pa (tap)'),
			SW, { timeout: TIMEOUT_MS });
		ok('the topology shows pa (tap)');

		// Traffic makes the page's counters rise, to what stats/show says.
		const before = await cell(page, 'pa', 'rx-packets');
		const pings = 60;
		const ping = spawn('ip', ['netns', 'exec', env('VNET_NS_A'), 'ping', '-n', '-q', '-c', String(pings), '-i', '0.05', '-W', '2',
			env('VNET_IP_B')], { stdio: 'ignore' });
		const pingDone = new Promise((resolve) => ping.on('exit', resolve));
		// while it runs (3 s), the live rate column shows traffic
		await page.waitForFunction((sw) => {
			const td = document.querySelector(`tr[data-port="${sw}/pa"] td.rx-rate`);
			return td && /^[0-9.]+ k?pps$/.test(td.textContent) && parseFloat(td.textContent) > 0;
		}, SW, { timeout: TIMEOUT_MS });
		ok(`pa's live rate while pinging: ${await page.locator(`tr[data-port="${SW}/pa"] td.rx-rate`).textContent()}`);
		const st = await pingDone;
		if (st !== 0) throw new Error(`ping from ns a exited with ${st}`);
		const want = statsOf('pa').rx_packets;
		if (want < before + pings) throw new Error(`stats/show pa rx_packets ${want} < ${before} + ${pings}`);
		await page.waitForFunction(({ sw, n }) => {
			const td = document.querySelector(`tr[data-port="${sw}/pa"] td.rx-packets`);
			return td && Number(td.textContent) >= n;
		}, { sw: SW, n: want }, { timeout: TIMEOUT_MS });
		const after = await cell(page, 'pa', 'rx-packets');
		ok(`pa rx packets on the page rose from ${before} to ${after} (stats/show: ${want})`);
		const txB = await cell(page, 'pb', 'tx-packets');
		if (!(txB >= pings)) throw new Error(`pb tx packets on the page is ${txB}, expected >= ${pings}`);
		ok(`pb tx packets on the page: ${txB}`);
		const macA = JSON.parse(inNs(env('VNET_NS_A'), 'ip', '-j', 'link', 'show', env('VNET_IF_A')))[0].address;
		await page.waitForFunction((mac) => [...document.querySelectorAll('#fdb td')].some((t) => t.textContent === mac), macA,
			{ timeout: TIMEOUT_MS });
		ok(`the MAC table on the page lists ${macA}`);

		// Changes from the page need the token.
		await page.fill('#command', `port/add ${SW} d9 type=dummy`);
		await page.click('#command-form button');
		await page.waitForFunction(() => document.getElementById('command-output').textContent.startsWith('HTTP'), null, { timeout: TIMEOUT_MS });
		const refused = await page.textContent('#command-output');
		if (!refused.startsWith('HTTP 401')) throw new Error(`a change without the token answered: ${refused}`);
		ok('a change from the page without the token is refused (401)');
		await page.fill('#token', env('VNET_TOKEN'));
		await page.click('#token-form button');
		await page.evaluate(() => { document.getElementById('command-output').textContent = ''; });
		await page.click('#command-form button');
		await page.waitForFunction(() => document.getElementById('command-output').textContent.startsWith('HTTP'), null, { timeout: TIMEOUT_MS });
		const accepted = await page.textContent('#command-output');
		if (!accepted.startsWith('HTTP 200')) throw new Error(`a change with the token answered: ${accepted}`);
		await page.waitForSelector(`tr[data-port="${SW}/d9"]`, { timeout: TIMEOUT_MS });
		if (!vnetctl('port/list', SW).includes('d9')) throw new Error('d9 is on the page but not in port/list');
		ok('with the token, port/add from the page worked, and d9 is in port/list and on the page');

		const dir = env('ARTIFACT_DIR');
		mkdirSync(dir, { recursive: true });
		const shot = join(dir, 'web-console.png');
		await page.screenshot({ path: shot, fullPage: true });
		console.log('screenshot: ' + shot);
		if (pageErrors.length) throw new Error('errors in the page: ' + pageErrors.join('; '));
		ok('no script errors in the page');
	} finally {
		await browser.close();
	}
}

main().catch((e) => {
	console.error('FAIL: ' + (e && e.stack ? e.stack : e));
	process.exit(1);
});
