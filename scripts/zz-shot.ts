import { chromium } from "playwright-core";
const url = process.argv[2]!; const out = process.argv[3]!; const w = Number(process.argv[4] ?? 1440);
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const ctx = await b.newContext({ viewport: { width: w, height: 900 } });
await ctx.addInitScript(() => { localStorage.setItem("lenslet.name", "Kim"); localStorage.setItem("lenslet.nameAsked", "1"); });
const p = await ctx.newPage();
const errs: string[] = [];
p.on("pageerror", (e) => errs.push(String(e))); p.on("console", (m) => { if (m.type() === "error") errs.push(m.text()); });
await p.goto(url); await p.waitForTimeout(2500);
if (process.argv[5]) { await p.evaluate(process.argv[5]); await p.waitForTimeout(1500); }
await p.screenshot({ path: out });
console.log("errors:", errs);
await b.close();
