//! A deterministic generator of realistic sales mail, for benchmarks.
//!
//! `generate(seed, index)` builds message number `index` of the corpus of
//! `seed` on its own, so any number of messages can be streamed without
//! holding them: the same seed and index always give the same bytes. The mix
//! ([`mix`]) is what a CRM address of a small sales team receives: reps'
//! BCC'd outbound mail, forwards from the common clients in five languages,
//! partner referrals, form submissions, prospects' replies in threads that
//! earlier generated outbound mail started, bounces (DSN), out-of-office
//! replies and newsletters. Sizes are mostly 4–40 KB (text, an HTML
//! alternative, often an attachment); about 1 in 500 carries a 1–3 MB one.
//!
//! People and companies are the fixture configuration's
//! (`tests/fixtures/leadmail.toml`): reps alice@ and bruno@acme.test, partner
//! bob@northwind.test, form source forms@webforms.test, authentication
//! results from `mx.acme.test`.
//!
//! # Layout
//!
//! - `rng`: SplitMix64, one independent stream per message ([`Rng`]).
//! - `people`, `text`: who writes, and what they write, per language.
//! - `mime`: a drafted message → bytes of a target size.
//! - `human`, `automated`: one builder per [`Kind`].

mod automated;
mod human;
mod mime;
mod people;
mod rng;
mod text;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, TimeZone, Utc};
use people::{Lang, Person, Rep, REPS};
pub use rng::Rng;

/// What a generated message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A rep's mail to a prospect, BCC'd to the CRM address.
    Outbound,
    /// A rep forwarding an inquiry (Gmail, Outlook, Apple Mail, Thunderbird).
    Forward,
    /// The partner forwarding a referral.
    Partner,
    /// A website form submission.
    Form,
    /// A prospect answering an earlier outbound mail (In-Reply-To, References).
    Reply,
    /// A delivery status notification (multipart/report).
    Bounce,
    /// An out-of-office auto-reply to an earlier outbound mail.
    OutOfOffice,
    /// A newsletter (List-Unsubscribe, Precedence: bulk).
    Newsletter,
}

impl Kind {
    /// Every kind, in [`mix`] order.
    pub const ALL: [Kind; 8] = [
        Kind::Outbound,
        Kind::Forward,
        Kind::Partner,
        Kind::Form,
        Kind::Reply,
        Kind::Bounce,
        Kind::OutOfOffice,
        Kind::Newsletter,
    ];

    /// A short stable name (for file names and reports).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Outbound => "outbound",
            Kind::Forward => "forward",
            Kind::Partner => "partner",
            Kind::Form => "form",
            Kind::Reply => "reply",
            Kind::Bounce => "bounce",
            Kind::OutOfOffice => "out_of_office",
            Kind::Newsletter => "newsletter",
        }
    }
}

/// The share of each kind in the corpus, in percent.
pub fn mix() -> &'static [(Kind, u32)] {
    &[
        (Kind::Outbound, 30),
        (Kind::Forward, 12),
        (Kind::Partner, 3),
        (Kind::Form, 8),
        (Kind::Reply, 15),
        (Kind::Bounce, 4),
        (Kind::OutOfOffice, 8),
        (Kind::Newsletter, 20),
    ]
}

/// One generated message.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthMail {
    /// What it is.
    pub kind: Kind,
    /// Its Message-ID, without angle brackets.
    pub message_id: String,
    /// The RFC 5322 bytes, CRLF line ends.
    pub bytes: Vec<u8>,
}

/// How big the generated mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizes {
    /// 4–40 KB, HTML alternatives, an attachment of 1–3 MB now and then.
    Standard,
    /// 1–2 KB of plain text, no HTML, no attachments: the BCC'd notes,
    /// short inquiries and replies most of a CRM inbox is.
    Small,
}

/// Message number `index` of the corpus of `seed`.
pub fn generate(seed: u64, index: usize) -> SynthMail {
    generate_sized(seed, index, Sizes::Standard)
}

/// Message number `index` of the corpus of `seed`, at `sizes`; the same
/// kinds, people and threads whatever the sizes.
pub fn generate_sized(seed: u64, index: usize, sizes: Sizes) -> SynthMail {
    let facts = Facts::of(seed, index);
    let mut rng = Rng::new(seed, 2 * index as u64 + 1);
    let target = match sizes {
        Sizes::Standard => size(&mut rng),
        Sizes::Small => rng.range(1024, 2048) as usize,
    };
    let (mut draft, message_id) = match facts.kind {
        Kind::Outbound => human::outbound(&facts, &mut rng),
        Kind::Forward => human::forward(&facts, &mut rng),
        Kind::Partner => human::partner(&facts, &mut rng),
        Kind::Form => human::form(&facts, &mut rng),
        Kind::Reply => human::reply(&facts, &mut rng),
        Kind::OutOfOffice => automated::out_of_office(&facts),
        Kind::Newsletter => automated::newsletter(&facts, &mut rng),
        Kind::Bounce => {
            let (bytes, message_id) = automated::bounce(&facts, &mut rng);
            return SynthMail {
                kind: facts.kind,
                message_id,
                bytes,
            };
        }
    };
    if sizes == Sizes::Small {
        draft.html = false;
        draft.attach = false;
    }
    // Only mail that can carry an attachment gets the MB sizes.
    let target = if draft.attach || target < 65_536 {
        target
    } else {
        4096 + target % 36_864
    };
    SynthMail {
        kind: facts.kind,
        message_id,
        bytes: mime::render(&draft, target, &mut rng),
    }
}

/// A size: 1–3 MB for 1 in 300 of the kinds that may carry attachments
/// (about 1 in 500 overall), else 4–40 KB, log-uniform.
fn size(rng: &mut Rng) -> usize {
    if rng.below(300) == 0 {
        return rng.range(1 << 20, 3 << 20) as usize;
    }
    let (low, high) = (4096f64.ln(), 40960f64.ln());
    (low + rng.unit() * (high - low)).exp() as usize
}

/// What message `index` is about, drawn from its own stream so that a later
/// message (a reply, a bounce) can look up an earlier one cheaply.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub seed: u64,
    pub index: usize,
    pub kind: Kind,
    pub lang: Lang,
    pub rep: Rep,
    pub person: Person,
    pub subject: String,
    pub date: DateTime<Utc>,
    /// For replies, bounces and out-of-office: the outbound mail it answers.
    pub answers: Option<Box<Facts>>,
}

impl Facts {
    fn of(seed: u64, index: usize) -> Facts {
        let mut rng = Rng::new(seed, 2 * index as u64);
        let mut kind = mix()[rng.weighted(mix().iter().map(|(_, w)| *w))].0;
        let answers = match kind {
            Kind::Reply | Kind::Bounce | Kind::OutOfOffice => {
                earlier_outbound(seed, index, &mut rng).map(|j| Box::new(Facts::of(seed, j)))
            }
            _ => None,
        };
        if kind == Kind::Reply && answers.is_none() {
            kind = Kind::Outbound;
        }
        let lang = if kind == Kind::Outbound {
            Lang::En
        } else {
            Lang::draw(&mut rng)
        };
        let base = Utc
            .with_ymd_and_hms(2024, 1, 8, 7, 0, 0)
            .single()
            .expect("a valid date");
        Facts {
            seed,
            index,
            kind,
            lang,
            rep: rng.pick(&REPS),
            person: Person::draw(&mut rng, lang, seed.wrapping_add(index as u64)),
            subject: text::subject(&mut rng, lang),
            date: base + Duration::seconds(index as i64 * 300 + rng.below(290) as i64),
            answers,
        }
    }

    /// The Message-ID an outbound mail of these facts carries.
    fn outbound_id(&self) -> String {
        format!(
            "{}.{:x}.{}@mail.acme.test",
            self.date.format("%Y%m%d%H%M%S"),
            self.seed,
            self.index
        )
    }
}

/// The kind drawn first for `index` (an outbound one stays outbound).
fn drawn_kind(seed: u64, index: usize) -> Kind {
    let mut rng = Rng::new(seed, 2 * index as u64);
    mix()[rng.weighted(mix().iter().map(|(_, w)| *w))].0
}

/// An earlier outbound mail, mostly recent, sometimes months old.
fn earlier_outbound(seed: u64, index: usize, rng: &mut Rng) -> Option<usize> {
    let start = index.saturating_sub(rng.range(1, 2000) as usize);
    let back = |from: usize| {
        (from.saturating_sub(64)..=from)
            .rev()
            .find(|&j| j < index && drawn_kind(seed, j) == Kind::Outbound)
    };
    back(start).or_else(|| index.checked_sub(1).and_then(back))
}
