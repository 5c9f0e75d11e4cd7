// SPDX-License-Identifier: GPL-2.0-or-later
// firstpaint.mjs - load the web console N times in fresh browser contexts and report, from the
// browser's performance timeline, the median first-contentful-paint and the median time until
// the page has drawn the daemon's data (the "vnet-first-render" mark app.js sets).
// Usage: node firstpaint.mjs URL [N]   (run by tests/web/perf.sh)
import { chromium } from 'playwright-core';

const url = process.argv[2];
const n = Number(process.argv[3] || 7);
const median = (a) => {
	const s = [...a].sort((x, y) => x - y);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const fcp = [], rendered = [], rows = [];
for (let i = 0; i < n; i++) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
	const page = await ctx.newPage();
	await page.goto(url);
	await page.waitForSelector('body[data-rendered="1"]', { timeout: 30000 });
	const t = await page.evaluate(() => ({
		fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
		fp: performance.getEntriesByName('first-paint')[0]?.startTime,
		render: performance.getEntriesByName('vnet-first-render')[0]?.startTime,
		rows: document.querySelectorAll('tr[data-port]').length,
	}));
	fcp.push(t.fcp ?? t.fp);
	rendered.push(t.render);
	rows.push(t.rows);
	await ctx.close();
}
await browser.close();
console.log(`loads: ${n}, port rows drawn: ${rows.join(',')}`);
console.log(`first-contentful-paint ms: ${fcp.map((x) => x.toFixed(0)).join(' ')}  median ${median(fcp).toFixed(1)}`);
console.log(`all data drawn (vnet-first-render) ms: ${rendered.map((x) => x.toFixed(0)).join(' ')}  median ${median(rendered).toFixed(1)}`);
