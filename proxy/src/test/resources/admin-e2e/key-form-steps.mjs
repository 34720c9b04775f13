// The key form steps of admin-page.mjs (key "existing"): a model that left models[] is refused with the validator's
// message next to the models field; then models, owner, note, expiry and limits are saved into the stored config.
// Until the config knows apiKeys[].limits/owner/note/expiresAt the save is refused with the message shown in the form,
// and the models alone are saved.

// "Review and save…": the validator's refusal, or the diff review confirmed with "Save these changes"
async function save(page) {
  await page.click('#ke-save');
  await page.waitForFunction(() => document.querySelector('#ke-status').textContent.length > 0);
  if (await page.isVisible('#ke-review')) {
    await page.click('#ke-confirm');
    await page.waitForFunction(() => !document.querySelector('#ke-status').textContent.startsWith('Review'));
  }
  return page.textContent('#ke-status');
}

export async function keyFormSteps(page, { check, result, externalEdit, shot }) {
  const edit = '#keys-table tr[data-key="existing"] button[aria-label="Edit existing"]';
  await externalEdit((c) => { c.models.push({ id: 'gpt-99', upstream: c.models[0].upstream }); });
  await page.click('.tabs button[data-page=keys]');
  await page.click(edit);
  await page.waitForSelector('#key-edit:not([hidden]) #ke-models option[value="gpt-99"]', { state: 'attached' });
  await externalEdit((c) => { c.models = c.models.filter((m) => m.id !== 'gpt-99'); });
  await page.selectOption('#ke-models', ['gpt-99']);
  await save(page);
  await page.waitForFunction(() => document.querySelector('#key-edit .field-error[data-path="models"]').textContent.length > 0);
  result.steps.keyFormModelError = await page.textContent('#key-edit .field-error[data-path="models"]');
  check(result.steps.keyFormModelError.includes("'gpt-99' is not a model id in models[]"), 'message next to the field: ' + result.steps.keyFormModelError);

  await page.click(edit);
  await page.waitForSelector('#key-edit:not([hidden]) #ke-models option[value="gpt-4o-mini"]', { state: 'attached' });
  await page.selectOption('#ke-models', ['gpt-4o-mini', 'gpt-broken']);
  await page.fill('#ke-owner', 'team-e2e');
  await page.fill('#ke-note', 'used by the browser test');
  await page.fill('#ke-expires', '2030-01-01T00:00:00');
  await page.fill('#ke-rpm', '600');
  await page.fill('#ke-budget', '25.5');
  const status = await save(page);
  await shot(page, '06b-key-form');
  if (status.startsWith('Saved')) {
    await page.waitForFunction(() => document.querySelector('#keys-table tr[data-key="existing"] .limits').textContent.includes('600 req/min'));
    result.steps.keyFormOutcome = 'saved';
    result.steps.keyFormRow = await page.textContent('#keys-table tr[data-key="existing"]');
    check(result.steps.keyFormRow.includes('team-e2e'), 'owner in the table: ' + result.steps.keyFormRow);
  } else {
    // the config in effect does not know these fields yet: the refusal is shown in the form, nothing is saved
    result.steps.keyFormOutcome = 'refused';
    result.steps.keyFormRefusal = status + ' ' + (await page.textContent('#key-edit'));
    check(/unknown key '(limits|owner|note|expiresAt)'/.test(result.steps.keyFormRefusal), 'refusal shown: ' + result.steps.keyFormRefusal);
    for (const sel of ['#ke-owner', '#ke-note', '#ke-expires', '#ke-rpm', '#ke-budget']) await page.fill(sel, '');
    const again = await save(page);
    check(again.startsWith('Saved'), 'models saved: ' + again);
  }
  await page.waitForFunction(() => document.querySelector('#keys-table tr[data-key="existing"] td:nth-child(3)').textContent.includes('gpt-broken'));
  await page.click('#ke-cancel');
}
