// The card app on the same phone, for signing a document with the 署名用 certificate (the
// gビズIDプライム application): the card file stays in this browser (the same localStorage as the
// login card app); the 署名用 PIN opens the private key with WebCrypto, which signs the exact
// document bytes the page carries. The signed application goes into the page's form, which the
// person then sends. Same formats as tsunagu.identity.cards.virtualcard.
"use strict";
(function () {
  const cards = window.TsunaguCard;
  const box = document.getElementById("card-sign-app");
  if (!box) return;
  const status = document.getElementById("card-sign-status");
  const result = document.getElementById("card-sign-result");
  const toB64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const REFUSALS = { tampered: "msgTampered", locked: "msgLocked", "locked-now": "msgLocked",
                     "wrong-pin": "msgWrongPin" };

  async function unlockSignature(card, pin) {
    try {
      return await cards.unlock(card, "signature", pin);
    } catch (error) {
      if (!error.reason) throw error;
      throw new Error(box.dataset[REFUSALS[error.reason]]);
    }
  }

  // WebCrypto gives r‖s; the platform verifies a DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs)
  function derSignature(raw) {
    const integer = (bytes) => {
      let start = 0;
      while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
      let body = Array.from(bytes.slice(start));
      if (body[0] & 0x80) body = [0, ...body];
      return [0x02, body.length, ...body];
    };
    const r = integer(new Uint8Array(raw.slice(0, 32)));
    const s = integer(new Uint8Array(raw.slice(32)));
    return new Uint8Array([0x30, r.length + s.length, ...r, ...s]);
  }

  function show() {
    const card = cards.load();
    status.textContent = card ? box.dataset.msgLoaded : box.dataset.msgLoad;
  }

  box.hidden = false;
  document.getElementById("card-sign-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    if (!(await cards.store(file))) { result.textContent = box.dataset.msgNotCard; return; }
    show();
  });

  document.getElementById("card-sign-button").addEventListener("click", async () => {
    result.textContent = "";
    const card = cards.load();
    if (!card) { result.textContent = box.dataset.msgLoad; return; }
    try {
      const key = await unlockSignature(card, document.getElementById("card-sign-pin").value);
      const documentBytes = cards.b64(box.dataset.document);
      const raw = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, documentBytes);
      const application = JSON.parse(new TextDecoder().decode(documentBytes));
      application.signature = toB64(derSignature(raw));
      application.certificate = card.signature.certificate;
      document.getElementById("signed_text").value = JSON.stringify(application);
      document.getElementById("signed").required = false;
      result.textContent = box.dataset.msgSigned;
    } catch (error) {
      result.textContent = error.message;
    }
  });
  show();
})();
