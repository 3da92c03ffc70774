"use strict";
const $ = (id) => document.getElementById(id);
let token = "";
const log = new Log($("messages"), { choose: (id) => conn.req("choose", { option: id }).catch(showError) });
const conn = connect("customer", (f) => {
  if (f.type !== "entry") return;
  if (f.notice) return told(f.notice, f.item);
  log.add(f.item);
  if (f.item.type === "joined") status("You are chatting with an agent", "");
  if (f.item.type === "closed" || f.item.type === "ended") $("closed").classList.remove("hidden");
});
function status(text, position) {
  $("status").textContent = text;
  $("status").dataset.position = position;
}
// told shows a notice of the engine: the place in the queue, "about" it
// when the place is an estimate, and the estimated wait; a requeue or a
// transfer is also kept in the log.
function told(n, item) {
  if (n.kind === "requeued" || n.kind === "transferred") log.add(item);
  if (!n.position) return status(item.text || "You are being transferred", "");
  status("You are " + (n.approximate ? "about " : "") + ordinal(n.position) + " in line" +
    (n.estimated ? " · estimated wait " + clock(n.wait_ms || 0) : ""), n.position);
}
// ordinal writes 1 as "1st", 12 as "12th", 22 as "22nd".
function ordinal(n) {
  const suffix = ["th", "st", "nd", "rd"], v = n % 100;
  return n + (suffix[(v - 20) % 10] || suffix[v] || suffix[0]);
}
function showError(e) { $("file-error").textContent = e.message; $("file-error").classList.remove("hidden"); }

$("signin").onclick = async () => {
  const r = await fetch("/signin", { method: "POST", body: new URLSearchParams({ email: $("email").value }) });
  if (!r.ok) { $("signed-in").textContent = await r.text(); return; }
  const j = await r.json();
  token = j.token;
  $("signed-in").textContent = "Signed in as " + j.email + " (verified)";
  $("signed-in").className = "verified";
};
$("start-btn").onclick = async () => {
  try {
    const r = await conn.req("start", { name: $("name").value, queue: $("queue").value, token });
    $("start").classList.add("hidden");
    $("chat").classList.remove("hidden");
    $("transcript").href = "/transcript?chat=" + encodeURIComponent(r.chat) + "&customer=" + encodeURIComponent(r.customer);
  } catch (e) {
    $("start-error").textContent = e.message;
    $("start-error").classList.remove("hidden");
  }
};
async function send() {
  const text = $("text").value.trim();
  if (!text) return;
  try { await conn.req("send", { text }); $("text").value = ""; $("file-error").classList.add("hidden"); } catch (e) { showError(e); }
}
$("send").onclick = send;
$("text").addEventListener("keydown", (e) => { if (e.key === "Enter") send(); });
$("attach").onclick = async () => {
  const file = $("file").files[0];
  if (!file) return showError(new Error("Choose a file first"));
  const data = await new Promise((resolve) => {
    const rd = new FileReader();
    rd.onload = () => resolve(String(rd.result).replace(/^data:[^,]*,/, ""));
    rd.readAsDataURL(file);
  });
  try {
    await conn.req("file", { file: { name: file.name, type: file.type, data } });
    $("file-error").classList.add("hidden");
    $("file").value = "";
  } catch (e) { showError(new Error("File refused: " + e.message)); }
};
$("leave").onclick = () => $("leave-warning").classList.remove("hidden");
$("leave-cancel").onclick = () => $("leave-warning").classList.add("hidden");
$("leave-confirm").onclick = async () => {
  $("leave-warning").classList.add("hidden");
  try { await conn.req("leave"); $("closed").classList.remove("hidden"); } catch (e) { showError(e); }
};
