// Shared by the three pages: the websocket, requests and entry rendering.
"use strict";

function connect(role, onFrame) {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?role=" + role;
  const ws = new WebSocket(url);
  const pending = new Map();
  let next = 1;
  const opened = new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("connection failed"));
  });
  ws.onclose = () => {
    const s = document.getElementById("conn");
    if (s) { s.textContent = "disconnected"; s.className = "conn down"; }
  };
  ws.onmessage = (m) => {
    const f = JSON.parse(m.data);
    if (f.type === "reply" && pending.has(f.id)) {
      const p = pending.get(f.id);
      pending.delete(f.id);
      if (f.ok) p.resolve(f.result); else { const e = new Error(f.error); e.result = f.result; p.reject(e); }
      return;
    }
    onFrame(f);
  };
  return {
    async req(op, fields) {
      await opened;
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify(Object.assign({ id, op }, fields || {})));
      });
    },
  };
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function clock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// notice is what an event entry says, in the words the library chose when
// it wrote one, else from its type.
function notice(item) {
  if (item.text) return item.text;
  const who = item.subject_name || item.from_name || "";
  switch (item.type) {
    case "joined": return who + " joined";
    case "left": return who + " has left";
    case "invited": return who + " was invited";
    case "customer_left": return "The customer has left";
    case "owner_changed": return who + " now owns the chat";
    case "mode_changed": return who + " is now in " + item.reason + " mode";
    case "ended": return "Chat ended" + (item.reason ? " (" + item.reason + ")" : "");
    case "closed": return "The chat has been closed";
    case "reopened": return "The chat reopened";
    case "created": return "Chat started";
    case "transfer": return "Transfer" + (item.reason ? " to " + item.reason : "") + (item.subject_name ? " to " + item.subject_name : "");
  }
  return item.type;
}

// Log renders a chat's entries in sequence order, applying corrections to
// the message they correct and dropping entries it already has.
class Log {
  constructor(list, opts) {
    this.list = list;
    this.opts = opts || {};
    this.seen = new Set();
  }
  add(item) {
    if (this.seen.has(item.seq)) return;
    this.seen.add(item.seq);
    if (item.type === "correction") {
      const m = this.list.querySelector('[data-seq="' + item.ref + '"] .text');
      if (m) m.textContent = item.text;
      return;
    }
    let li;
    if (item.type === "message") {
      li = el("li", { class: "msg" + (item.private ? " private" : ""), "data-seq": item.seq },
        el("span", { class: "who" }, item.from_name + (item.private ? " (whisper)" : "")),
        el("span", { class: "text" }, item.text || ""));
      for (const f of item.files || []) {
        li.append(el("a", { class: "file", href: "/files/" + encodeURIComponent(f.ref), download: f.name }, "📎 " + f.name));
      }
    } else if (item.type === "options_offered") {
      li = el("li", { class: "options", "data-seq": item.seq }, el("span", { class: "text" }, item.text));
      const box = el("span", { class: "choices" });
      for (const o of item.options || []) {
        box.append(this.opts.choose
          ? el("button", { class: "choice", "data-option": o.id, onclick: () => this.opts.choose(o.id) }, o.label)
          : el("span", { class: "choice" }, o.label));
      }
      li.append(box);
    } else if (item.type === "option_chosen") {
      li = el("li", { class: "msg chosen", "data-seq": item.seq },
        el("span", { class: "who" }, item.from_name),
        el("span", { class: "text" }, (item.options || []).map((o) => o.label).join(", ")));
    } else {
      li = el("li", { class: "notice " + item.type + (item.private ? " private" : ""), "data-seq": item.seq },
        el("span", { class: "text" }, notice(item)));
    }
    // Keep sequence order whatever order deliveries arrive in.
    let before = null;
    for (const other of this.list.children) {
      if (Number(other.dataset.seq) > item.seq) { before = other; break; }
    }
    this.list.insertBefore(li, before);
    this.list.scrollTop = this.list.scrollHeight;
  }
}

// ChatPanel is one chat on a desktop: its header, its log and the tools
// the desk offers for it (tools builds them).
class ChatPanel {
  constructor(container, chat, conn, tools) {
    this.chat = chat;
    this.conn = conn;
    this.root = el("section", { class: "chat", "data-chat": chat });
    this.head = el("div", { class: "head" }, el("h2", {}, "Chat " + chat));
    this.attrs = el("div", { class: "attrs" });
    this.people = el("div", { class: "people" });
    this.list = el("ul", { class: "messages" });
    this.log = new Log(this.list);
    this.error = el("div", { class: "warning hidden" });
    this.root.append(this.head, this.attrs, this.people, this.list, this.error);
    if (tools) tools(this);
    container.append(this.root);
  }
  fail(e) { this.error.textContent = e.message; this.error.classList.remove("hidden"); }
  ok() { this.error.classList.add("hidden"); }
  async call(op, fields) {
    try { const r = await this.conn.req(op, Object.assign({ chat: this.chat }, fields)); this.ok(); return r; } catch (e) { this.fail(e); throw e; }
  }
  info(i) {
    if (!i) return;
    this.queue = i.queue;
    this.head.querySelector("h2").textContent = (i.kind === "a2a" ? "Colleagues " : (i.queue || "") + " ") + this.chat;
    this.attrs.replaceChildren(...(i.attributes || []).map((a) =>
      el("div", { class: a.verified ? "verified" : "claimed" }, a.name + ": " + a.value + (a.verified ? " ✔ verified" : " (claimed)"))));
    this.people.replaceChildren("With: ", ...(i.participants || []).filter((p) => p.present)
      .map((p) => el("span", { class: "person", "data-role": p.role }, p.name + " (" + p.role + ") ")));
    this.owner = ((i.participants || []).find((p) => p.role === "owner" && p.present) || {}).id;
  }
  async refresh() {
    try { this.info(await this.conn.req("info", { chat: this.chat })); } catch (e) { /* ended chats stay as they were */ }
  }
  async history() {
    for (const item of await this.conn.req("history", { chat: this.chat })) this.log.add(item);
  }
  compose(modes) {
    const text = el("input", { class: "text", placeholder: "Message", style: "flex:1", autocomplete: "off" });
    const mode = el("select", { class: "mode" }, ...modes.map((m) => el("option", { value: m }, m)));
    const send = async () => {
      if (!text.value.trim()) return;
      const fields = { text: text.value, mode: mode.value };
      if (mode.value === "coach") fields.agent = (this.owner || "").replace(/^agent:/, "");
      await this.call("send", fields).then(() => { text.value = ""; }, () => {});
    };
    text.addEventListener("keydown", (e) => { if (e.key === "Enter") send(); });
    this.root.append(el("div", { class: "row" }, text, mode, el("button", { class: "send", onclick: send }, "Send")));
  }
}
