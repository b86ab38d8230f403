/**
 * The inline style and script of the sign-up pages. Both are inline so the page
 * needs no other request; the Content-Security-Policy admits them by nonce.
 */

export const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1d1d1f;background:#f6f4ef}
main{max-width:28rem;margin:0 auto;padding:1rem 1rem 3rem}
nav{text-align:right;font-size:.95rem}
h1{font-size:1.6rem;margin:.5rem 0 .25rem}
.campaign{margin:0 0 1rem;color:#555}
.benefit{background:#fff3c4;border-radius:.75rem;padding:.75rem 1rem;margin:0 0 1rem;font-size:1.2rem;font-weight:600}
.benefit small{display:block;font-size:.8rem;font-weight:400;color:#6b5a00}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=email],input[type=tel],select{width:100%;font:inherit;padding:.65rem .75rem;border:1px solid #b9b4a8;border-radius:.5rem;background:#fff}
[aria-invalid=true]{border-color:#b3261e;outline:2px solid #b3261e}
.hint{font-size:.9rem;color:#555;margin:.25rem 0 0}
fieldset{border:0;padding:0;margin:1.25rem 0 0}
legend{font-weight:600;padding:0}
.consent{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin:.6rem 0}
.consent input{width:1.35rem;height:1.35rem;margin:.1rem 0 0;flex:none}
button{width:100%;margin-top:1.5rem;padding:.9rem;font:inherit;font-size:1.1rem;font-weight:700;color:#fff;background:#c2410c;border:0;border-radius:.6rem}
button[disabled]{opacity:.6}
.error{background:#fde8e7;color:#8c1d18;border-radius:.5rem;padding:.6rem .8rem}
.code{font:700 2.6rem/1.1 ui-monospace,"SF Mono",Menlo,Consolas,monospace;letter-spacing:.08em;text-align:center;background:#fff;border:2px dashed #c2410c;border-radius:.75rem;padding:1rem .5rem;margin:.5rem 0;word-break:break-all}
.center{text-align:center}
[hidden]{display:none!important}
`;

/**
 * Sends the form with fetch and shows the code in place. Without JavaScript, or
 * when fetch itself fails, the form posts as usual and the server renders the result.
 */
export const PAGE_SCRIPT = `
(function () {
  var form = document.getElementById('signup-form');
  var result = document.getElementById('signup-result');
  var errorBox = document.getElementById('signup-error');
  if (!form || !result || !errorBox || !window.fetch || !window.FormData) return;
  var button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var body = { consent: {} };
    ['firstName', 'email', 'phone', 'country'].forEach(function (name) {
      var value = data.get(name);
      if (typeof value === 'string' && value.trim() !== '') body[name] = value;
    });
    ['sms', 'email'].forEach(function (channel) {
      if (form.elements.namedItem('consent.' + channel)) body.consent[channel] = data.has('consent.' + channel);
    });
    button.disabled = true;
    errorBox.hidden = true;
    fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (reply) {
        if (!response.ok) {
          errorBox.textContent = (reply.error && reply.error.text) || form.getAttribute('data-error-generic');
          errorBox.hidden = false;
          return;
        }
        var name = typeof body.firstName === 'string' ? body.firstName.trim() : '';
        var heading = result.querySelector('[data-slot=heading]');
        heading.textContent = name ? result.getAttribute('data-thanks-named').replace('{name}', name) : result.getAttribute('data-thanks');
        result.querySelector('[data-slot=code]').textContent = reply.code;
        result.querySelector('[data-slot=benefit]').textContent = reply.benefit;
        result.querySelector('[data-slot=valid-until]').textContent = result.getAttribute('data-valid-until').replace('{time}', reply.validUntilText);
        form.hidden = true;
        result.hidden = false;
        result.scrollIntoView();
      });
    }).catch(function () {
      form.submit();
    }).then(function () {
      button.disabled = false;
    });
  });
})();
`;
