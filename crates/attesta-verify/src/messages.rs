//! The message catalog of verification: every [`VerifyError`], in Italian
//! and English. The trust-list and status-list errors it wraps carry their
//! own messages, beside their formats in attesta-core.
//!
//! A typed table (one `match` per error type, both languages side by side)
//! rather than runtime-parsed files: a missing translation does not
//! compile, and the table works unchanged in WebAssembly, so the web
//! verifier says exactly what `attesta verify` says. Messages never blame
//! the holder for the operator's own problem and never name command-line
//! flags; the CLI adds those hints. Dates follow the language (30/06/2028
//! in Italian).
//!
//! ```
//! use attesta_core::lang::Lang;
//! use attesta_verify::VerifyError;
//! let e = VerifyError::CfMismatch;
//! assert!(e.message(Lang::It).starts_with("il codice non appartiene"));
//! assert_eq!(e.to_string(), e.message(Lang::En));
//! ```

use attesta_core::lang::{self, Lang};

use crate::error::VerifyError;

impl VerifyError {
    /// The message in `lang`: what happened, then what to do.
    pub fn message(&self, lang: Lang) -> String {
        use VerifyError as E;
        let it = lang == Lang::It;
        match self {
            E::Format(f) => f.message(lang),
            E::UnknownKid(k) if it => format!("il codice è firmato da una chiave (kid {k}) che non è nella lista di fiducia di questo dispositivo: può venire da un emittente sconosciuto, oppure la lista è vecchia; aggiornarla e riprovare"),
            E::UnknownKid(k) => format!("the code is signed by a key (kid {k}) that is not in your trust list; it may come from an unknown issuer, or your trust list is out of date: update it and try again"),
            E::DeniedKid(k) if it => format!("il codice è firmato da una chiave (kid {k}) che è stata revocata; non accettarlo"),
            E::DeniedKid(k) => format!("the code is signed by a key (kid {k}) that has been revoked; do not accept it"),
            E::BadSignature => lang.pick(
                "la firma non corrisponde: il codice è stato alterato o contraffatto; non accettarlo",
                "the signature does not match: the code was altered or forged; do not accept it",
            ).into(),
            E::KeyNotValidAtIssuance { issued } if it => format!("il codice risulta emesso il {} fuori dal periodo di validità della sua chiave di firma; non accettarlo", lang::day_of(*issued, lang)),
            E::KeyNotValidAtIssuance { issued } => format!("the code was issued ({}) outside the validity window of its signing key; do not accept it", lang::day_of(*issued, lang)),
            E::IssuerMismatch { claimed, actual } if it => format!("il codice dichiara l'emittente «{claimed}» ma è firmato con una chiave di «{actual}»; non accettarlo"),
            E::IssuerMismatch { claimed, actual } => format!("the code names issuer '{claimed}' but is signed by a key of '{actual}'; do not accept it"),
            E::NotYetValid { from } if it => format!("il codice non è ancora valido (valido dal {}); controllare la data e l'ora del dispositivo", lang::day_time_of(*from, lang)),
            E::NotYetValid { from } => format!("the code is not valid yet (valid from {}); check the device's date and time", lang::day_time_of(*from, lang)),
            E::Expired { on } if it => format!("il codice è scaduto il {}; il titolare deve scaricarne uno nuovo", lang::day_of(*on, lang)),
            E::Expired { on } => format!("the code expired on {}; the holder must download a new one", lang::day_of(*on, lang)),
            E::Revoked => lang.pick(
                "il codice è stato revocato dall'emittente e non è più valido; il titolare deve rivolgersi all'emittente",
                "the code has been revoked by its issuer; it is no longer valid: the holder must contact the issuer",
            ).into(),
            E::Suspended => lang.pick(
                "il codice è sospeso dall'emittente e per ora non è valido; il titolare deve rivolgersi all'emittente",
                "the code is suspended by its issuer; it is not valid for now: the holder must contact the issuer",
            ).into(),
            E::StatusIndexOutOfRange { idx } if it => format!("la posizione di revoca del codice ({}) è fuori dalla lista di revoca caricata: la lista può essere vecchia; aggiornarla", lang::number(*idx, lang)),
            E::StatusIndexOutOfRange { idx } => format!("the code's revocation index {idx} is outside its status list; the list may be out of date: update it"),
            E::RevocationNotChecked { list_uri, kid } if it => format!("non è stato possibile controllare la revoca: manca una lista di revoca aggiornata «{list_uri}» firmata dalla chiave del codice (kid {kid}); scaricare dall'emittente le liste di tutte le sue chiavi"),
            E::RevocationNotChecked { list_uri, kid } => format!("revocation could not be checked: no current status list '{list_uri}' signed by the code's key (kid {kid}) is loaded; download the lists of every key of the issuer"),
            E::StatusList(e) => e.message(lang),
            E::StatusListUntrusted => lang.pick(
                "la lista di revoca non è firmata da una chiave della lista di fiducia; scaricarla di nuovo dall'emittente",
                "the status list is not signed by a key in your trust list; download it again from the issuer",
            ).into(),
            E::StatusListWrongIssuer { uri, list_issuer, code_issuer } if it => format!("la lista di revoca «{uri}» è dell'emittente «{list_issuer}», non dell'emittente del codice «{code_issuer}»; caricare la lista dell'emittente giusto"),
            E::StatusListWrongIssuer { uri, list_issuer, code_issuer } => format!("the status list '{uri}' belongs to issuer '{list_issuer}', not to this code's issuer '{code_issuer}'; load the right issuer's list"),
            E::StatusListStale { uri, issued } if it => format!("la lista di revoca «{uri}» non è aggiornata (emessa il {}); scaricarne una nuova", lang::day_of(*issued, lang)),
            E::StatusListStale { uri, issued } => format!("the status list '{uri}' is out of date (issued {}); download a fresh one", lang::day_of(*issued, lang)),
            E::StatusListIssuedInFuture { uri, issued } if it => format!("la lista di revoca «{uri}» risulta emessa il {}, dopo l'ora di questo dispositivo; controllare la data e l'ora del dispositivo e, se sono giuste, non usare questa lista", lang::day_time_of(*issued, lang)),
            E::StatusListIssuedInFuture { uri, issued } => format!("the status list '{uri}' says it was issued {}, after this device's time; check the device's date and time, and if it is right do not use this list", lang::day_time_of(*issued, lang)),
            E::Trust(e) => e.message(lang),
            E::CfMalformed(e) => e.message(lang),
            E::CfMismatch => lang.pick(
                "il codice non appartiene a questo codice fiscale; confrontare il codice fiscale inserito con la tessera sanitaria del titolare",
                "the code does not belong to this codice fiscale; check the code typed against the holder's card (tessera sanitaria)",
            ).into(),
            E::SecretRequired => lang.pick(
                "questo codice è protetto anche dal codice segreto del titolare: chiederlo al titolare (9 lettere e cifre, per esempio ABCD-EFGH-J, stampato a parte rispetto al codice QR) e inserirlo insieme al codice fiscale",
                "this code is also protected by the holder's secret: ask the holder for it (9 letters and digits, e.g. ABCD-EFGH-J, printed apart from the QR code) and enter it with the codice fiscale",
            ).into(),
            E::SecretMalformed(e) => e.message(lang),
            E::CfOrSecretMismatch => lang.pick(
                "il codice non si apre con questo codice fiscale e questo codice segreto: controllarli entrambi con il titolare (il codice fiscale sulla tessera sanitaria, il codice segreto sul foglio del titolare)",
                "the code does not open with this codice fiscale and this secret: check both with the holder (the codice fiscale against the holder's card, the secret against the holder's sheet)",
            ).into(),
            E::WrongAudience { audience } if it => format!("questo codice è indirizzato all'operatore «{audience}», non a voi; il titolare deve chiederne uno per la vostra organizzazione"),
            E::WrongAudience { audience } => format!("this token is addressed to operator '{audience}', not to you; the holder must request a token for your organisation"),
            E::OperatorNotAccredited => lang.pick(
                "la vostra chiave di operatore non è accreditata nella lista di fiducia (o l'accreditamento è scaduto); rivolgersi all'autorità della lista, o aggiornare la lista",
                "your operator key is not accredited in the trust list (or its accreditation expired); ask the trust-list authority, or update the trust list",
            ).into(),
            E::NotForThisOperator => lang.pick(
                "il codice non si apre con la vostra chiave di operatore: è stato sigillato per un'altra chiave o alterato; non accettarlo",
                "the token does not open with your operator key: it was sealed to another key or altered; do not accept it",
            ).into(),
            E::KdfParamsOutOfBounds { m, t, p } if it => format!("il codice chiede una derivazione di chiave irragionevolmente costosa ({m} MiB, {t} passate, {p} corsie): è costruito ad arte o estraneo; non accettarlo"),
            // One wording for one refusal: the library's own.
            E::KdfParamsOutOfBounds { m, t, p } => attesta_core::credential::OpenError::KdfParamsOutOfBounds { m: *m, t: *t, p: *p }.to_string(),
            E::KdfBelowFloor { m, t, min_m, min_t } if it => format!("la derivazione di chiave del codice ({m} MiB, {t} passate) è sotto il minimo di {min_m} MiB e {min_t} passate: il suo contenuto si potrebbe leggere indovinando il codice fiscale con poca spesa; non accettarlo (l'emittente deve emettere un codice nuovo)"),
            E::KdfBelowFloor { m, t, min_m, min_t } => format!("the code's key derivation ({m} MiB, {t} passes) is below the minimum of {min_m} MiB and {min_t} passes: its content could be read by guessing the codice fiscale cheaply; do not accept it (the issuer must issue a new code)"),
        }
    }
}
