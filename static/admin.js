// Newsdesk admin: progressive enhancement only; every form works without this script.
// Autosave: an editor form with data-autosave sends its fields there a few seconds after the
// last change, and says when it did (the page offers that version back after a lost tab).
(() => {
  'use strict';
  const form = document.querySelector('form[data-autosave]');
  if (!form) return;
  const status = form.querySelector('.autosave-status');
  const DELAY_MS = 5000;
  let timer = null;
  let sending = false;
  const keep = async () => {
    if (sending) { timer = setTimeout(keep, DELAY_MS); return; }
    sending = true;
    const fields = new URLSearchParams(new FormData(form));
    fields.delete('action');
    fields.delete('upload'); // a chosen file goes with the save, not with autosave
    try {
      const response = await fetch(form.dataset.autosave, {
        method: 'POST',
        body: fields,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      if (status) {
        const time = new Date().toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
        status.textContent = `${status.dataset.saved} ${time}.`;
      }
    } catch (e) {
      if (status) status.textContent = status.dataset.failed;
    } finally {
      sending = false;
    }
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(keep, DELAY_MS);
  });
  // A save or publish replaces what was kept; nothing more to send.
  form.addEventListener('submit', () => clearTimeout(timer));
})();
