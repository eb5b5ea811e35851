// app.js - the start page: server health and an API-token check.
// No globals; text is set with textContent, never innerHTML.

async function showHealth(out) {
  try {
    const res = await fetch('/healthz', { cache: 'no-store' });
    const body = await res.json();
    out.textContent = res.ok ? 'up, database answering' : `unavailable (${body.reason || res.status})`;
    out.className = res.ok ? 'ok' : 'bad';
  } catch (e) {
    out.textContent = 'no answer from the server';
    out.className = 'bad';
  }
}

async function checkToken(token, out) {
  const res = await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  const body = await res.json();
  if (res.ok) {
    out.textContent = `valid: ${body.principal} with role ${body.role}`;
    out.className = 'ok';
  } else {
    out.textContent = `refused: ${body.detail || body.title}`;
    out.className = 'bad';
  }
}

function main() {
  showHealth(document.getElementById('health'));
  const form = document.getElementById('token-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    checkToken(form.elements.token.value.trim(), document.getElementById('whoami'));
  });
}

main();
