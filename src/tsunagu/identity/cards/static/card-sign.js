// The card app on the same phone, for signing a document with the 署名用 certificate (the
// gビズIDプライム application): the card file stays in this browser (the same localStorage as the
// login card app); the 署名用 PIN opens the private key with WebCrypto, which signs the exact
// document bytes the page carries. The signed application goes into the page's form, which the
// person then sends. Same formats as tsunagu.identity.cards.virtualcard.
"use strict";
(function () {
  const STORE = "tsunagu-virtual-card";
  const MAX_FAILURES = 3;  // virtualcard.MAX_PIN_FAILURES
  const box = document.getElementById("card-sign-app");
  if (!box) return;
  const status = document.getElementById("card-sign-status");
  const result = document.getElementById("card-sign-result");
  const enc = new TextEncoder();
  const b64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const toB64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

  async function counterMac(card, failures) {
    const ikm = await crypto.subtle.importKey("raw", b64(card.chip_secret), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: enc.encode("tsunagu-card-counter|" + card.card_id) },
      ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
    const message = card.card_id + "|authentication=" + failures.authentication + "|signature=" + failures.signature;
    return hex(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  }

  const load = () => { const text = localStorage.getItem(STORE); return text ? JSON.parse(text) : null; };

  async function save(card, failures) {
    card.failures = failures;
    card.counter_mac = await counterMac(card, failures);
    localStorage.setItem(STORE, JSON.stringify(card));
  }

  async function unlockSignature(card, pin) {
    const failures = { authentication: card.failures.authentication, signature: card.failures.signature };
    if (await counterMac(card, failures) !== card.counter_mac) throw new Error(box.dataset.msgTampered);
    if (failures.signature >= MAX_FAILURES) throw new Error(box.dataset.msgLocked);
    const sealed = card.signature.private_key;
    const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
    const aes = await crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: b64(sealed.salt), iterations: sealed.iterations },
      base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    let der;
    try {
      der = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: b64(sealed.iv), additionalData: enc.encode(card.card_id + "|signature") },
        aes, b64(sealed.ciphertext));
    } catch (error) {
      failures.signature += 1;
      await save(card, failures);
      throw new Error(failures.signature >= MAX_FAILURES ? box.dataset.msgLocked : box.dataset.msgWrongPin);
    }
    if (failures.signature) { failures.signature = 0; await save(card, failures); }
    return crypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
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
    const card = load();
    status.textContent = card ? box.dataset.msgLoaded : box.dataset.msgLoad;
  }

  box.hidden = false;
  document.getElementById("card-sign-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const card = JSON.parse(await file.text());
    if (card.format !== "tsunagu-virtual-card/1") { result.textContent = box.dataset.msgNotCard; return; }
    localStorage.setItem(STORE, JSON.stringify(card));
    show();
  });

  document.getElementById("card-sign-button").addEventListener("click", async () => {
    result.textContent = "";
    const card = load();
    if (!card) { result.textContent = box.dataset.msgLoad; return; }
    try {
      const key = await unlockSignature(card, document.getElementById("card-sign-pin").value);
      const documentBytes = b64(box.dataset.document);
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
