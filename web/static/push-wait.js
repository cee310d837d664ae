// Push sign-in page: polls the sign-in's push status and continues as soon as
// the request is approved (the page also works without this script).
const form = document.getElementById('push-continue');
if (form && document.getElementById('push-number')) {
  const url = form.dataset.status;
  const poll = async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      const { status } = await res.json();
      if (status === 'approved') return form.submit();
      if (status !== 'waiting') return location.reload();
    } catch {
      // Network hiccup: try again on the next tick.
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 1500);
}
