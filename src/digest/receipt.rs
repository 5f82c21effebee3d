//! The receipt a rep gets when their own mail could not be filed as they
//! meant: what was not understood and how to fix it. Pure: the sender
//! queues it (rate-limited), the SMTP adapter sends it.

/// One quarantine entry a receipt is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFacts<'a> {
    /// The entry's id (for `quarantine release`).
    pub entry_id: i64,
    /// The rep's mail's subject.
    pub subject: &'a str,
    /// What was not understood, and what happened to the rest.
    pub detail: &'a str,
}

/// The receipt's subject and text.
pub fn render_receipt(facts: &ReceiptFacts<'_>) -> (String, String) {
    let subject = match facts.subject.trim() {
        "" => "(no subject)",
        text => text,
    };
    let text = format!(
        "leadmail could not do everything your mail \"{subject}\" asked.\n\n\
         What was not understood:\n  {detail}\n\n\
         How to fix it: send the command again, corrected, to the CRM address \
         (commands go one per line: next: friday call, amount: 5000 EUR, \
         step: Proposal, status: standby until monday, owner: name, #tag).\n\n\
         Then close this entry: leadmail quarantine release {id} --as YOU --reason \"fixed\"\n\
         (it is also listed in your morning digest until then).\n\n\
         -- \nleadmail receipt (sent at most a few times an hour)\n",
        detail = facts.detail,
        id = facts.entry_id
    );
    (format!("Not filed as you asked: {subject}"), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_names_the_mail_what_failed_and_how_to_close_it() {
        let (subject, text) = render_receipt(&ReceiptFacts {
            entry_id: 7,
            subject: "Fwd: pricing",
            detail: "\"nxt: friday\": unknown command \"nxt\"",
        });
        assert_eq!(subject, "Not filed as you asked: Fwd: pricing");
        assert!(text.contains("unknown command \"nxt\""), "{text}");
        assert!(text.contains("quarantine release 7"), "{text}");
    }
}
