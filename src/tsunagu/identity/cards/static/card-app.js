// The mobile card app (stands in for the smartphone app): the card file stays in this browser's
// localStorage; the PIN opens the private key with WebCrypto, which signs the login nonce.
// Same formats as tsunagu.identity.cards.virtualcard (AES-GCM under PBKDF2, HMAC'd PIN counter).
"use strict";
(function () {
  const cards = window.TsunaguCard;
  const app = document.getElementById("card-app");
  const status = document.getElementById("card-status");
  const result = document.getElementById("card-result");
  const enc = new TextEncoder();
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const REFUSALS = {
    tampered: () => "カードのファイルが改ざんされています。",
    locked: () => "暗証番号がロックされています。",
    "locked-now": () => "暗証番号がロックされました。",
    "wrong-pin": (left) => "暗証番号が違います。残り" + left + "回です。",
  };

  async function unlock(card, pin) {
    try {
      return await cards.unlock(card, "authentication", pin);
    } catch (error) {
      if (!error.reason) throw error;
      throw new Error(REFUSALS[error.reason](error.left));
    }
  }

  function show() {
    const card = cards.load();
    status.textContent = card ? "カード " + card.card_id.slice(0, 8) + "… を読み込み済みです。" : "カードのファイルを読み込んでください。";
  }

  document.getElementById("card-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    if (!(await cards.store(file))) { result.textContent = "カードのファイルではありません。"; return; }
    show();
  });

  document.getElementById("card-sign").addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "";
    const card = cards.load();
    if (!card) { result.textContent = "先にカードのファイルを読み込んでください。"; return; }
    try {
      const key = await unlock(card, document.getElementById("card-pin").value);
      const nonce = app.dataset.nonce;
      const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(nonce));
      const response = await fetch("/api/v1/identity/card-login/respond", {
        // the CSRF token matters when this browser also holds a session (the API refuses it otherwise)
        method: "POST", headers: { "content-type": "application/json", "x-csrf-token": app.dataset.csrf },
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
