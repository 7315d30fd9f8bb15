// The mobile card app (stands in for the smartphone app): the card file stays in this browser's
// localStorage; the PIN opens the private key with WebCrypto, which signs the login nonce.
// Same formats as tsunagu.identity.cards.virtualcard (AES-GCM under PBKDF2, HMAC'd PIN counter).
"use strict";
(function () {
  const STORE = "tsunagu-virtual-card";
  const MAX_FAILURES = 3;
  const app = document.getElementById("card-app");
  const status = document.getElementById("card-status");
  const result = document.getElementById("card-result");
  const enc = new TextEncoder();
  const b64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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

  async function unlock(card, pin) {
    const failures = { authentication: card.failures.authentication, signature: card.failures.signature };
    if (await counterMac(card, failures) !== card.counter_mac) throw new Error("カードのファイルが改ざんされています。");
    if (failures.authentication >= MAX_FAILURES) throw new Error("暗証番号がロックされています。");
    const sealed = card.authentication.private_key;
    const base = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"]);
    const aes = await crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: "SHA-256", salt: b64(sealed.salt), iterations: sealed.iterations },
      base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    let der;
    try {
      der = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: b64(sealed.iv), additionalData: enc.encode(card.card_id + "|authentication") },
        aes, b64(sealed.ciphertext));
    } catch (error) {
      failures.authentication += 1;
      await save(card, failures);
      const left = MAX_FAILURES - failures.authentication;
      throw new Error(left > 0 ? "暗証番号が違います。残り" + left + "回です。" : "暗証番号がロックされました。");
    }
    if (failures.authentication) { failures.authentication = 0; await save(card, failures); }
    return crypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  }

  function show() {
    const card = load();
    status.textContent = card ? "カード " + card.card_id.slice(0, 8) + "… を読み込み済みです。" : "カードのファイルを読み込んでください。";
  }

  document.getElementById("card-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const card = JSON.parse(await file.text());
    if (card.format !== "tsunagu-virtual-card/1") { result.textContent = "カードのファイルではありません。"; return; }
    localStorage.setItem(STORE, JSON.stringify(card));
    show();
  });

  document.getElementById("card-sign").addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "";
    const card = load();
    if (!card) { result.textContent = "先にカードのファイルを読み込んでください。"; return; }
    try {
      const key = await unlock(card, document.getElementById("card-pin").value);
      const nonce = app.dataset.nonce;
      const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(nonce));
      const response = await fetch("/api/v1/identity/card-login/respond", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ challenge_id: app.dataset.challenge, nonce: nonce,
          certificate: card.authentication.certificate, signature: b64url(signature) }),
      });
      const body = await response.json();
      result.textContent = response.ok ? "送信しました。ログイン画面で「ログインを続ける」を押してください。" : body.detail;
    } catch (error) {
      result.textContent = error.message;
    }
  });
  show();
})();
