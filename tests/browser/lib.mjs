// lib.mjs: what the browser tests share: TAP output, Chromium launched the
// way this machine needs it, and an HTML validity check of raw responses.
import { chromium } from 'playwright-core';
import { HtmlValidate } from 'html-validate';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let n = 0, failed = 0;

export function ok(cond, name, diag) {
  n++;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (diag) for (const l of String(diag).split('\n')) console.log(`# ${l}`);
  }
  return cond;
}

export function done() {
  console.log(`1..${n}`);
  process.exitCode = failed ? 1 : 0;
}

export function bail(why) {
  console.log(`Bail out! ${why}`);
  process.exit(1);
}

export async function launch() {
  const userData = mkdtempSync(join(tmpdir(), 'framuga-chromium-'));
  return chromium.launchPersistentContext(userData, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync'],
  });
}

export function artifacts() {
  const dir = process.env.ARTIFACTS || join(process.cwd(), 'artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// The rules: html-validate's recommended set, less the purely stylistic
// ones; every rendered page must pass.
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    'no-trailing-whitespace': 'off',
    'void-style': 'off',
    'no-inline-style': 'off',
    'long-title': 'off',
    'attribute-boolean-style': 'off',
    'no-redundant-role': 'off',
  },
});

export async function validateHtml(html, name) {
  const report = await validator.validateString(html, name);
  const msgs = report.valid ? '' : report.results.flatMap((r) => r.messages)
    .map((m) => `${name}:${m.line}:${m.column}: ${m.ruleId}: ${m.message}`).join('\n');
  return { valid: report.valid, msgs };
}
