/*! Phare web chat widget (MIT). Embed with:
 *  <script src="https://<phare server>/widget.js" data-mrc="la-mitis" defer></script>
 * Options (data-* on that script tag): mrc, server, position (right|left),
 * greeting (the opening message), accent (#rrggbb).
 * Plain ES2017, no dependency. Everything shown is built with textContent,
 * never parsed as HTML. Service answers arrive as a structured custom payload
 * ("type": "phare.answer", see actions/answer_model.py) and are shown as
 * compact cards: name, tap-to-call phone, address, open now, one line of what
 * it offers, "Détails" to expand. No cookies; the session id and the transcript stay in
 * this site's localStorage until "Effacer la conversation" or 4 h of silence.
 */
(function () {
  'use strict';
  if (window.Phare && window.Phare.version) return;

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script) return;
  const opts = script.dataset || {};

  const VERSION = '1.0.0';
  const STORE_KEY = 'phare-chat:v1';
  const MAX_AGE_MS = 4 * 3600 * 1000; // Rasa's session_expiration_time (240 min)
  const MAX_ENTRIES = 200;
  const MAX_CHARS = 2000;
  const TIMEOUT_MS = 45000;
  // Filled in by the server (widget_script in bot/webchat/routes.py) from the geography and category data.
  const MRC_DISPLAY = {/*phare:mrc-display*/}; // 'la-mitis' -> 'MRC de La Mitis'
  const STARTERS = [/*phare:starters*/]; // [title, payload] of the first needs of the menu
  const T = {
    launcher: "Besoin d'aide?",
    launcherMore: ' Clavarder avec Phare',
    title: 'Phare',
    subtitle: 'Aide aux résidents du Bas-Saint-Laurent',
    close: 'Fermer le clavardage',
    clear: 'Effacer la conversation',
    log: 'Conversation avec Phare',
    label: 'Votre message',
    placeholder: 'Écrivez votre message…',
    send: 'Envoyer',
    you: 'Vous avez écrit : ',
    bot: 'Phare a écrit : ',
    replies: 'Réponses suggérées',
    typing: 'Phare écrit une réponse…',
    newTab: ' (nouvel onglet)',
    notice: "Phare est un assistant automatisé. N'écrivez pas de renseignements personnels " +
      '(nom, adresse, numéro d\'assurance sociale). En cas d\'urgence, faites le 911.',
    down: 'Oups, Phare ne répond pas pour le moment. Pour trouver de l\'aide tout de suite, ' +
      'composez le 211 (gratuit et confidentiel). En cas d\'urgence, faites le 911.',
    retry: 'Réessayer',
    empty: "Je n'ai pas de réponse pour l'instant. Le 211 (gratuit et confidentiel) peut vous orienter.",
    cleared: 'Conversation effacée.',
    details: 'Détails',
    lessDetails: 'Moins de détails',
    call: 'Appeler le ',
    seeMore: 'Voir les autres',
    normal: "Demander de l'aide, c'est normal.",
    eligibility: 'Pour qui : ',
    fees: 'Coût : ',
    howTo: 'Comment : ',
    hours: 'Heures : ',
    more: (n) => "J'en ai " + n + ' autre' + (n > 1 ? 's' : '') + '.',
    clearedLocal: 'Conversation effacée de cet appareil. Elle sera effacée du serveur dès qu\'il répondra.'
  };

  const mrc = String(opts.mrc || '').trim().toLowerCase();
  const mrcDisplay = MRC_DISPLAY[mrc] || '';
  const base = serverBase(opts.server, script.src);

  function serverBase(server, src) {
    try {
      const url = server ? new URL(server, location.href) : new URL('.', src || location.href);
      if (!/^https?:$/.test(url.protocol)) throw new Error('protocol');
      url.search = ''; url.hash = '';
      return url.href.replace(/\/?$/, '/');
    } catch (e) {
      return new URL('/', location.href).href;
    }
  }

  const ANSWER_TYPE = 'phare.answer';
  const DETAILS_PAYLOAD = (n) => '/more_results{"result_number": "' + n + '"}';
  const CHOICE_RE = /^\s*#?\s*(\d{1,2})\s*[.)]?\s*$/;

  function greetingText() {
    const custom = String(opts.greeting || '').trim();
    if (custom) return custom.slice(0, 600);
    const where = mrcDisplay ? 'dans la ' + mrcDisplay + ' et partout au Bas-Saint-Laurent' : 'partout au Bas-Saint-Laurent';
    return 'Bonjour! Je suis Phare. Je vous aide à trouver des services ' + where +
      " : aide alimentaire, frigos libre-service, quelqu'un à qui parler, et plus.\n" +
      (mrcDisplay ? 'Que cherchez-vous? ' : 'Dites-moi ce que vous cherchez et votre municipalité. ') +
      "Demander de l'aide, c'est normal.";
  }

  // --- Storage (falls back to memory when localStorage is blocked) --------

  function uuid() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try { return c.randomUUID(); } catch (e) { /* insecure context */ }
    }
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.prototype.map.call(b, (x) => (x + 0x100).toString(16).slice(1)).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function freshState(forget) {
    return { v: 1, sender: uuid(), open: false, updated: Date.now(), entries: [], forget: forget || [] };
  }

  function loadState() {
    let saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(STORE_KEY)); } catch (e) { saved = null; }
    if (!saved || saved.v !== 1 || typeof saved.sender !== 'string' || !Array.isArray(saved.entries)) return freshState();
    const forget = Array.isArray(saved.forget) ? saved.forget.filter((s) => typeof s === 'string').slice(-10) : [];
    if (!(Date.now() - Number(saved.updated) < MAX_AGE_MS)) return freshState(forget);
    saved.entries = saved.entries.filter((e) => e && typeof e.text === 'string');
    saved.entries.forEach((e) => { if (e.answer) e.answer = cleanAnswer(e.answer); });
    saved.forget = forget;
    return saved;
  }

  function saveState() {
    state.updated = Date.now();
    if (state.entries.length > MAX_ENTRIES) state.entries = state.entries.slice(-MAX_ENTRIES);
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* memory only */ }
  }

  // --- DOM helpers: text only ---------------------------------------------

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((key) => {
      const value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach((child) => {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(path) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'phare-icon');
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', path);
    svg.appendChild(p);
    return svg;
  }

  // URLs, e-mail addresses, Québec phone numbers and 211/811/911 become links.
  const TOKEN_RE = new RegExp([
    '((?:https?:\\/\\/|www\\.)[^\\s<>"«»]+)',
    '([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,})',
    '((?:\\+?1[ .-]?)?(?:\\(\\d{3}\\) ?|\\d{3}[ .-])\\d{3}[ .-]\\d{4})',
    '(\\b[289](?:11|-1-1)\\b)'
  ].join('|'), 'g');
  const STREET_AFTER = /^\s*,?\s*(rue|av|boul|chemin|ch\.|route|rang|place|mont[ée]e|c[ôo]te)/i;

  function telHref(text) {
    const digits = text.replace(/\D/g, '');
    if (digits.length === 3) return 'tel:' + digits;
    return 'tel:+' + (digits.length === 10 ? '1' + digits : digits);
  }

  function linkify(parent, text) {
    let last = 0;
    let match;
    TOKEN_RE.lastIndex = 0;
    while ((match = TOKEN_RE.exec(text)) !== null) {
      let token = match[0];
      const start = match.index;
      const before = text.charAt(start - 1);
      const after = text.slice(start + token.length);
      let href = null;
      let external = false;
      if (match[1]) {
        if (/\w/.test(before)) continue;
        token = token.replace(/[.,;:!?)\]'’]+$/, '');
        href = /^www\./i.test(token) ? 'https://' + token : token;
        external = true;
      } else if (match[2]) {
        href = 'mailto:' + token;
      } else if (match[3]) {
        if (/[\d/-]/.test(before) || /^\d/.test(after)) continue;
        href = telHref(token);
      } else if (match[4]) {
        if (/[\d/.,-]/.test(before) || /^[\d-]/.test(after) || STREET_AFTER.test(after)) continue;
        href = telHref(token);
      }
      if (!href || !token) continue;
      if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
      const a = el('a', { href: href, class: 'phare-link' }, [token]);
      if (external) {
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.appendChild(el('span', { class: 'phare-sr', text: T.newTab }));
      }
      parent.appendChild(a);
      last = start + token.length;
      TOKEN_RE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function clockText(ms) {
    const d = new Date(ms);
    return d.getHours() + ' h ' + String(d.getMinutes()).padStart(2, '0');
  }

  // --- Colours: accent from data-accent, with readable text on it ---------

  function parseHex(value) {
    const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value || '').trim());
    if (!m) return null;
    const hex = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function luminance(rgb) {
    const c = rgb.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    const la = luminance(a);
    const lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function toHex(rgb) {
    return '#' + rgb.map((v) => (Math.round(v) + 0x100).toString(16).slice(1)).join('');
  }

  function applyAccent(host) {
    const accent = parseHex(opts.accent);
    if (!accent) return; // widget.css defaults
    const white = [255, 255, 255];
    const black = [0, 0, 0];
    const bubble = [238, 241, 244]; // the bot bubble, the darkest light background
    let text = accent;
    for (let i = 0; i < 40 && contrast(text, bubble) < 4.6; i++) text = text.map((v) => v * 0.9);
    host.style.setProperty('--phare-accent', toHex(accent));
    host.style.setProperty('--phare-on-accent', contrast(accent, white) >= contrast(accent, black) ? '#ffffff' : '#000000');
    host.style.setProperty('--phare-accent-text', toHex(text));
  }

  // --- The widget ---------------------------------------------------------

  let state = loadState();
  let pending = []; // messages not yet answered, in order
  let busy = false;
  let generation = 0; // bumped by "Effacer": late answers of the old conversation are dropped
  let ui = null;

  function build() {
    const host = el('div', { id: 'phare-widget', class: 'phare-host', hidden: true });
    applyAccent(host);
    const shadow = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    const css = el('link', { rel: 'stylesheet', href: base + 'widget.css' });
    const reveal = () => {
      host.hidden = false;
      // After a reload the transcript opens on its last message, once the styles give it its height.
      if (state.open && ui) ui.scroller.scrollTop = ui.scroller.scrollHeight;
    };
    css.addEventListener('load', reveal);
    css.addEventListener('error', reveal);
    shadow.appendChild(css);

    const position = /^(left|gauche)$/i.test(String(opts.position || '').trim()) ? 'left' : 'right';
    const root = el('div', { class: 'phare phare--' + position, lang: 'fr-CA' });

    const launcher = el('button', {
      type: 'button', class: 'phare-launcher', 'aria-expanded': 'false', 'aria-controls': 'phare-panel'
    }, [
      icon('M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'),
      el('span', { class: 'phare-launcher__text', text: T.launcher }),
      el('span', { class: 'phare-sr', text: T.launcherMore })
    ]);

    const title = el('h2', { id: 'phare-title', class: 'phare-title', text: T.title });
    const subtitle = el('p', { class: 'phare-subtitle', text: mrcDisplay ? 'Aide aux résidents · ' + mrcDisplay : T.subtitle });
    const closeButton = el('button', { type: 'button', class: 'phare-close', 'aria-label': T.close },
      [icon('M6 6l12 12M18 6L6 18')]);
    const clearButton = el('button', { type: 'button', class: 'phare-clear', text: T.clear });
    const header = el('div', { class: 'phare-header' }, [
      el('div', { class: 'phare-header__titles' }, [title, subtitle]), clearButton, closeButton
    ]);

    const notice = el('p', { class: 'phare-notice' });
    linkify(notice, T.notice);
    const log = el('div', {
      class: 'phare-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': T.log,
      tabindex: '0'
    });
    const scroller = el('div', { class: 'phare-scroll' }, [notice, log]);

    const typing = el('div', { class: 'phare-typing', role: 'status' });

    const input = el('input', {
      id: 'phare-input', class: 'phare-input', type: 'text', autocomplete: 'off', autocapitalize: 'sentences',
      enterkeyhint: 'send', maxlength: String(MAX_CHARS), placeholder: T.placeholder, spellcheck: 'true'
    });
    const sendButton = el('button', { type: 'submit', class: 'phare-send' }, [
      icon('M3 20l18-8L3 4v6l12 2-12 2z'), el('span', { text: T.send })
    ]);
    const form = el('form', { class: 'phare-form', novalidate: true }, [
      el('label', { for: 'phare-input', class: 'phare-sr', text: T.label }), input, sendButton
    ]);

    const panel = el('div', {
      id: 'phare-panel', class: 'phare-panel', role: 'dialog', 'aria-labelledby': 'phare-title', hidden: true
    }, [header, scroller, typing, form]);

    root.appendChild(panel);
    root.appendChild(launcher);
    shadow.appendChild(root);

    ui = { host, root, panel, launcher, closeButton, clearButton, scroller, log, typing, input, form };

    launcher.addEventListener('click', () => (state.open ? close() : open(true)));
    closeButton.addEventListener('click', () => close());
    clearButton.addEventListener('click', () => clearConversation());
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' || event.key === 'Esc') {
        event.preventDefault();
        close();
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) { input.focus(); return; }
      input.value = '';
      const choice = detailsChoice(text);
      if (choice) send(DETAILS_PAYLOAD(choice), text);
      else send(text.slice(0, MAX_CHARS), null);
    });
    if (window.visualViewport) {
      const fit = () => {
        host.style.setProperty('--phare-vh', window.visualViewport.height + 'px');
        host.style.setProperty('--phare-vtop', window.visualViewport.offsetTop + 'px');
      };
      window.visualViewport.addEventListener('resize', fit);
      window.visualViewport.addEventListener('scroll', fit);
      fit();
    }

    state.entries.forEach((entry) => ui.log.appendChild(entryNode(entry)));
    renderReplies();
    document.body.appendChild(host);
    if (state.open) open(false);
  }

  function str(value, max) {
    return typeof value === 'string' ? value.trim().slice(0, max || 2000) : '';
  }

  // Only the fields the cards show, as plain strings (the payload is data, never markup).
  function cleanAnswer(raw) {
    if (!raw || typeof raw !== 'object' || raw.type !== ANSWER_TYPE) return null;
    const card = (c) => ({
      number: Number.isInteger(c.number) ? c.number : null,
      name: str(c.name, 300), organization: str(c.organization, 300),
      phones: (Array.isArray(c.phones) ? c.phones : []).filter((p) => p && typeof p.display === 'string')
        .slice(0, 3).map((p) => ({ display: str(p.display, 60), tel: /^tel:\+?\d{3,15}$/.test(p.tel) ? p.tel : '', label: str(p.label, 120) })),
      town: str(c.town, 200), address: str(c.address, 300), opening: str(c.opening, 300), hours: str(c.hours, 500),
      offer: str(c.offer), area_note: str(c.area_note, 300), closed_note: str(c.closed_note, 200),
      freshness: str(c.freshness, 200), url: str(c.url, 500), email: str(c.email, 200),
      eligibility: str(c.eligibility, 800), fees: str(c.fees, 500), how_to: str(c.how_to, 800)
    });
    const cards = (list) => (Array.isArray(list) ? list : []).filter((c) => c && typeof c.name === 'string').slice(0, 10).map(card);
    return {
      type: ANSWER_TYPE, kind: str(raw.kind, 30), notice: str(raw.notice, 600), intro: str(raw.intro, 600),
      services: cards(raw.services), lines: cards(raw.lines), campaign: str(raw.campaign, 1000),
      end_note: str(raw.end_note, 600), next_step: str(raw.next_step, 600), normal: raw.normal === true,
      more: raw.more === true, remaining: Number.isInteger(raw.remaining) ? raw.remaining : 0,
      choices: (Array.isArray(raw.choices) ? raw.choices : []).filter(Number.isInteger).slice(0, 50),
      text: str(raw.text, 20000)
    };
  }

  function paragraph(cls, text) {
    const p = el('p', { class: cls });
    linkify(p, text);
    return p;
  }

  function cardNode(card, open) {
    const title = (card.number ? card.number + '. ' : '') + card.name;
    const body = [el('h3', { class: 'phare-card__name', text: title })];
    const phone = card.phones[0];
    if (phone && phone.tel) {
      body.push(el('a', { class: 'phare-card__call', href: phone.tel }, [
        icon('M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z'),
        el('span', { class: 'phare-sr', text: T.call }), phone.display
      ]));
    }
    const where = card.address || card.town;
    if (where) body.push(el('p', { class: 'phare-card__where', text: where }));
    const status = [card.closed_note, card.opening].filter(Boolean).join(' ');
    if (status) body.push(el('p', { class: 'phare-card__open' + (card.closed_note ? ' is-closed' : ''), text: status }));
    if (card.offer) body.push(el('p', { class: 'phare-card__offer', text: card.offer }));
    const details = el('div', { class: 'phare-card__details' });
    if (card.organization) details.appendChild(el('p', { text: card.organization }));
    card.phones.forEach((p, i) => {
      if (i === 0 && !p.label) return;
      details.appendChild(paragraph('', p.display + (p.label ? ' (' + p.label + ')' : '')));
    });
    if (card.hours) details.appendChild(el('p', { text: T.hours + card.hours }));
    if (card.area_note) details.appendChild(el('p', { text: card.area_note }));
    if (card.eligibility) details.appendChild(el('p', { text: T.eligibility + card.eligibility }));
    if (card.fees) details.appendChild(el('p', { text: T.fees + card.fees }));
    if (card.how_to) details.appendChild(el('p', { text: T.howTo + card.how_to }));
    if (card.url) details.appendChild(paragraph('', card.url));
    if (card.email) details.appendChild(paragraph('', card.email));
    if (card.freshness) details.appendChild(el('p', { class: 'phare-card__fresh', text: card.freshness }));
    const node = el('li', { class: 'phare-card' + (open ? ' is-open' : '') }, body);
    if (details.childElementCount || (card.offer && card.offer.length > 60)) {
      const id = 'phare-d-' + Math.random().toString(36).slice(2, 10);
      details.id = id;
      details.hidden = !open;
      const toggle = el('button', {
        type: 'button', class: 'phare-card__toggle', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': id,
        text: open ? T.lessDetails : T.details
      });
      toggle.addEventListener('click', () => {
        const opened = !node.classList.contains('is-open');
        node.classList.toggle('is-open', opened);
        details.hidden = !opened;
        toggle.setAttribute('aria-expanded', opened ? 'true' : 'false');
        toggle.textContent = opened ? T.lessDetails : T.details;
      });
      node.appendChild(details);
      node.appendChild(toggle);
    }
    return node;
  }

  function answerNodes(answer) {
    const nodes = [];
    [answer.notice, answer.intro].filter(Boolean).forEach((t) => nodes.push(paragraph('phare-msg__text', t)));
    const all = answer.services.concat(answer.lines);
    if (all.length) {
      const list = el('ul', { class: 'phare-cards' });
      all.forEach((card) => list.appendChild(cardNode(card, answer.kind === 'details')));
      nodes.push(list);
    }
    const after = [answer.campaign, answer.end_note, answer.more ? T.more(answer.remaining) : '',
      [answer.normal ? T.normal : '', answer.next_step].filter(Boolean).join(' ')];
    after.filter(Boolean).forEach((t) => nodes.push(paragraph('phare-msg__text', t)));
    return nodes;
  }

  function entryNode(entry) {
    const who = entry.who === 'user' ? 'user' : 'bot';
    if (who === 'bot' && entry.answer) {
      return el('div', { class: 'phare-msg phare-msg--bot phare-msg--answer' }, [
        el('span', { class: 'phare-sr', text: T.bot })
      ].concat(answerNodes(entry.answer)).concat([
        el('time', { class: 'phare-msg__time', datetime: new Date(entry.t).toISOString(), text: clockText(entry.t) })
      ]));
    }
    const text = el('p', { class: 'phare-msg__text' });
    if (who === 'bot') linkify(text, entry.text);
    else text.textContent = entry.text;
    return el('div', { class: 'phare-msg phare-msg--' + who }, [
      el('span', { class: 'phare-sr', text: who === 'user' ? T.you : T.bot }),
      text,
      el('time', { class: 'phare-msg__time', datetime: new Date(entry.t).toISOString(), text: clockText(entry.t) })
    ]);
  }

  // "2" after a list of services: the details of service 2 (as by SMS).
  function detailsChoice(text) {
    const m = CHOICE_RE.exec(text);
    if (!m) return 0;
    const n = Number(m[1]);
    for (let i = state.entries.length - 1; i >= 0; i--) {
      const entry = state.entries[i];
      if (entry.who === 'bot' && entry.answer) return entry.answer.choices.indexOf(n) >= 0 ? n : 0;
    }
    return 0;
  }

  function validButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons.filter((b) => b && typeof b.title === 'string' && b.title.trim() &&
      typeof b.payload === 'string' && b.payload.trim()).slice(0, 12);
  }

  // Quick replies: the buttons of the bot messages since the resident last wrote.
  function renderReplies() {
    Array.prototype.forEach.call(ui.log.querySelectorAll('.phare-replies'), (n) => n.remove());
    const nodes = ui.log.querySelectorAll('.phare-msg');
    const offset = nodes.length - state.entries.length; // older nodes may outlive trimmed entries
    for (let i = state.entries.length - 1; i >= 0; i--) {
      const entry = state.entries[i];
      if (entry.who === 'user') break;
      const buttons = validButtons(entry.buttons);
      const node = nodes[i + offset];
      if (!buttons.length || !node) continue;
      const group = el('div', { class: 'phare-replies', role: 'group', 'aria-label': T.replies });
      buttons.forEach((b) => {
        const button = el('button', { type: 'button', class: 'phare-reply', text: b.title.trim() });
        button.addEventListener('click', () => {
          send(b.payload.trim().slice(0, MAX_CHARS), b.title.trim());
          ui.input.focus();
        });
        group.appendChild(button);
      });
      node.appendChild(group);
    }
  }

  function addEntries(entries) {
    if (!entries.length) return;
    const first = ui.log.childElementCount;
    entries.forEach((entry) => {
      state.entries.push(entry);
      ui.log.appendChild(entryNode(entry));
    });
    saveState();
    renderReplies();
    reveal(ui.log.children[first]);
  }

  // Show the start of a long answer rather than its end.
  function reveal(firstNew) {
    const scroller = ui.scroller;
    const end = scroller.scrollHeight - scroller.clientHeight;
    if (firstNew && firstNew.offsetTop - 8 < end) scroller.scrollTop = Math.max(0, firstNew.offsetTop - 8);
    else scroller.scrollTop = end;
  }

  function ensureGreeting() {
    if (state.entries.length) return;
    addEntries([{ who: 'bot', text: greetingText(), t: Date.now(), buttons: STARTERS.map((s) => ({ title: s[0], payload: s[1] })) }]);
  }

  function open(focus) {
    state.open = true;
    ui.panel.hidden = false;
    ui.root.classList.add('is-open');
    ui.launcher.setAttribute('aria-expanded', 'true');
    ensureGreeting();
    saveState();
    const toEnd = () => { ui.scroller.scrollTop = state.entries.length > 1 ? ui.scroller.scrollHeight : 0; };
    toEnd();
    if (window.requestAnimationFrame) window.requestAnimationFrame(toEnd);
    if (focus) ui.input.focus();
  }

  function close() {
    state.open = false;
    ui.panel.hidden = true;
    ui.root.classList.remove('is-open');
    ui.launcher.setAttribute('aria-expanded', 'false');
    saveState();
    ui.launcher.focus();
  }

  function setTyping(on) {
    ui.typing.textContent = '';
    if (!on) return;
    ui.typing.appendChild(el('span', { class: 'phare-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]));
    ui.typing.appendChild(el('span', { class: 'phare-sr', text: T.typing }));
  }

  function removeError() {
    Array.prototype.forEach.call(ui.log.querySelectorAll('.phare-error'), (n) => n.remove());
  }

  function showError() {
    removeError();
    const text = el('p', { class: 'phare-error__text' });
    linkify(text, T.down);
    const retry = el('button', { type: 'button', class: 'phare-retry', text: T.retry });
    retry.addEventListener('click', () => {
      removeError();
      drain();
      ui.input.focus();
    });
    ui.log.appendChild(el('div', { class: 'phare-error', role: 'alert' }, [text, retry]));
    ui.scroller.scrollTop = ui.scroller.scrollHeight;
  }

  async function postJSON(path, body) {
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), TIMEOUT_MS) : null;
    try {
      const response = await fetch(base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        signal: controller ? controller.signal : undefined
      });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return await response.json();
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  function send(message, shown) {
    removeError();
    addEntries([{ who: 'user', text: shown || message, t: Date.now() }]);
    pending.push(message);
    if (!busy) drain();
  }

  async function drain() {
    if (busy) return;
    busy = true;
    const gen = generation;
    setTyping(true);
    try {
      while (pending.length && gen === generation) {
        const metadata = { channel: 'web', greeted: true };
        if (!String(opts.greeting || '').trim()) metadata.normal_said = true; // the default greeting says it
        if (mrc) metadata.mrc = mrc;
        const replies = await postJSON('webhooks/rest/webhook', { sender: state.sender, message: pending[0], metadata: metadata });
        if (!Array.isArray(replies)) throw new Error('format');
        if (gen !== generation) break;
        pending.shift();
        const now = Date.now();
        const entries = [];
        // A structured answer comes with its plain-text rendering: show the cards, not the text twice.
        const answers = replies.map((r) => (r && typeof r === 'object' ? cleanAnswer(r.custom) : null));
        const answerTexts = answers.filter(Boolean).map((a) => a.text);
        replies.forEach((reply, i) => {
          if (!reply || typeof reply !== 'object') return;
          if (answers[i]) {
            const a = answers[i];
            entries.push({ who: 'bot', text: a.text, answer: a, t: now,
              buttons: a.more ? [{ title: T.seeMore, payload: '/more_results' }] : undefined });
            return;
          }
          const text = typeof reply.text === 'string' ? reply.text.trim() : '';
          if (text && answerTexts.indexOf(text) >= 0) return;
          const buttons = validButtons(reply.buttons).map((b) => ({ title: b.title, payload: b.payload }));
          if (text || buttons.length) entries.push({ who: 'bot', text: text, t: now, buttons: buttons.length ? buttons : undefined });
        });
        addEntries(entries.length ? entries : [{ who: 'bot', text: T.empty, t: now }]);
      }
      flushForget();
    } catch (e) {
      if (gen === generation) showError();
    } finally {
      busy = false;
      setTyping(false);
      if (gen !== generation && pending.length) drain();
    }
  }

  async function forgetOnServer(sender) {
    try {
      await postJSON('webhooks/rest/forget', { sender: sender });
      state.forget = state.forget.filter((s) => s !== sender);
      saveState();
      return true;
    } catch (e) {
      return false;
    }
  }

  function flushForget() {
    state.forget.slice().forEach((sender) => forgetOnServer(sender));
  }

  async function clearConversation() {
    const old = state.sender;
    const wasOpen = state.open;
    generation += 1;
    pending = [];
    state = freshState(state.forget.concat([old]));
    state.open = wasOpen;
    try { window.localStorage.removeItem(STORE_KEY); } catch (e) { /* nothing stored */ }
    saveState();
    ui.log.textContent = '';
    setTyping(false);
    const note = el('p', { class: 'phare-system', text: T.cleared });
    ui.log.appendChild(note);
    ensureGreeting();
    ui.input.value = '';
    ui.input.focus();
    const done = await forgetOnServer(old);
    if (!done) note.textContent = T.clearedLocal;
  }

  function start() {
    if (ui) return;
    build();
    if (state.forget.length) flushForget();
  }

  window.Phare = {
    version: VERSION,
    open: () => { start(); open(true); },
    close: () => { if (ui) close(); }
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
