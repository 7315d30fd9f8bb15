// The virtual card kept in this browser, shared by the login card app (card-app.js) and the
// signing card app (card-sign.js): the card file in localStorage, the HMAC'd PIN counters, and
// the PIN opening one section's private key with WebCrypto. Same formats as
// tsunagu.identity.cards.virtualcard (AES-GCM under PBKDF2, HMAC over the counters).
"use strict";
window.TsunaguCard = (function () {
  const STORE = "tsunagu-virtual-card";
  const MAX_FAILURES = 3;  // virtualcard.MAX_PIN_FAILURES
  const enc = new TextEncoder();
  const b64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

  async function counterMac(card, failures) {
    const ikm = await crypto.subtle.importKey("raw", b64(card.chip_secret), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: enc.encode("tsunagu-card-counter|" + card.card_id) },
      ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
    const message = card.card_id + "|authentication=" + failures.authentication + "|signature=" + failures.signature;
    return hex(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  }

  function load() {
    const text = localStorage.getItem(STORE);
    return text ? JSON.parse(text) : null;
  }

  async function save(card, failures) {
    card.failures = failures;
    card.counter_mac = await counterMac(card, failures);
    localStorage.setItem(STORE, JSON.stringify(card));
  }

  // A refusal says why (reason: tampered | locked (before this try) | locked-now (by this wrong
  // PIN) | wrong-pin) and how many tries are left.
  function refusal(reason, left) {
    const error = new Error(reason);
    error.reason = reason;
    error.left = left;
    return error;
  }

  async function unlock(card, section, pin) {
    const failures = { authentication: card.failures.authentication, signature: card.failures.signature };
    if (await counterMac(card, failures) !== card.counter_mac) throw refusal("tampered", 0);
    if (failures[section] >= MAX_FAILURES) throw refusal("locked", 0);
    const sealed = card[section].private_key;
    const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
    const aes = await crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: b64(sealed.salt), iterations: sealed.iterations },
      base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    let der;
    try {
      der = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: b64(sealed.iv), additionalData: enc.encode(card.card_id + "|" + section) },
        aes, b64(sealed.ciphertext));
    } catch (error) {
      failures[section] += 1;
      await save(card, failures);
      const left = MAX_FAILURES - failures[section];
      throw refusal(left > 0 ? "wrong-pin" : "locked-now", left);
    }
    if (failures[section]) { failures[section] = 0; await save(card, failures); }
    return crypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  }

  // Read a card file the person picked; false when it is not one.
  async function store(file) {
    const card = JSON.parse(await file.text());
    if (card.format !== "tsunagu-virtual-card/1") return false;
    localStorage.setItem(STORE, JSON.stringify(card));
    return true;
  }

  return { load, store, unlock, b64 };
})();
