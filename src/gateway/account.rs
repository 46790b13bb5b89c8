//! What a gateway says about the account behind a key: its balance and how many jobs it may
//! run at once.
//!
//! Only TTAPI documents such a call. Confirmed from its public documents
//! (<https://ttapi.io/docs/apiReference/others>, "Account Info", and the same page at
//! <https://docs.mjapiapp.com/reference/account>): `GET /midjourney/v1/info` with the
//! `TT-API-KEY` header answers `{status: "SUCCESS", message, data: {email,
//! email_verified_at, balance, freeze_balance, max_queue, created_at}}`. `balance` and
//! `freeze_balance` are quota units (the same units each job's `quota` costs); `max_queue`
//! is how many jobs the key may have in progress at once (the FAQ gives 10 by default). The
//! e-mail and dates are not read, so they are kept nowhere.
//!
//! AceData and Vtrix document no such call: for them [`GatewayClient::account`] answers
//! `None` without sending anything.

use serde_json::Value;

use super::parse::{self, text};
use super::{GatewayClient, Prepared};
use crate::error::GatewayError;
use crate::job::Provider;

/// TTAPI's account call.
pub const TTAPI_INFO: &str = "/midjourney/v1/info";

/// An account's standing, as its gateway states it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Account {
    /// Quota units left to spend.
    pub balance: f64,
    /// Units held for jobs in progress (spent if they succeed, returned if not).
    pub frozen: f64,
    /// Jobs the key may have in progress at once, when the gateway says.
    pub max_queue: Option<u32>,
}

/// The account request for `provider`, or None when its gateway documents none.
pub fn build_account(provider: Provider) -> Option<Prepared> {
    match provider {
        Provider::Ttapi => Some(Prepared::get(TTAPI_INFO)),
        Provider::Acedata | Provider::Vtrix => None,
    }
}

/// Reads TTAPI's account answer.
pub fn parse_ttapi_account(status: u16, body: &str) -> Result<Account, GatewayError> {
    let v = parse::object(status, body)?;
    if text(v.get("status")).is_some_and(|s| !s.eq_ignore_ascii_case("SUCCESS")) {
        return Err(parse::refusal(status, body));
    }
    let Some(data) = v.get("data").filter(|d| d.is_object()) else {
        return Err(parse::malformed(status, "the account answer holds no data", body));
    };
    let Some(balance) = number(data.get("balance")) else {
        return Err(parse::malformed(status, "the account answer holds no balance", body));
    };
    Ok(Account {
        balance,
        frozen: number(data.get("freeze_balance")).unwrap_or(0.0),
        max_queue: parse::uint(data.get("max_queue")).filter(|n| *n > 0),
    })
}

/// A finite, non-negative number from a number or a numeric string.
fn number(v: Option<&Value>) -> Option<f64> {
    let n = match v? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (n.is_finite() && n >= 0.0).then_some(n)
}

impl GatewayClient {
    /// The account's balance and queue limit, or None when the gateway has no such call
    /// (nothing is sent then).
    pub async fn account(&self) -> Result<Option<Account>, GatewayError> {
        let Some(prepared) = build_account(self.provider()) else { return Ok(None) };
        let (status, body) = self.send(&prepared).await?;
        match self.provider() {
            Provider::Ttapi => parse_ttapi_account(status, &body).map(Some),
            Provider::Acedata | Provider::Vtrix => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_answer_reads_as_balance_frozen_and_queue_limit() {
        let body = r#"{"status":"SUCCESS","data":{"email":"a@b.c","email_verified_at":"2023-11-10 17:44:30",
            "balance":10,"freeze_balance":2.5,"max_queue":5,"created_at":"2023-11-10 17:44:30"},"message":"success"}"#;
        let a = parse_ttapi_account(200, body).unwrap();
        assert_eq!(a, Account { balance: 10.0, frozen: 2.5, max_queue: Some(5) });
    }

    #[test]
    fn numbers_as_text_are_read_and_a_missing_limit_is_none() {
        let body = r#"{"status":"SUCCESS","data":{"balance":"97.5","max_queue":0}}"#;
        let a = parse_ttapi_account(200, body).unwrap();
        assert_eq!(a, Account { balance: 97.5, frozen: 0.0, max_queue: None });
    }

    #[test]
    fn a_failed_envelope_html_or_no_balance_is_an_error_not_a_zero() {
        let failed = parse_ttapi_account(200, r#"{"status":"FAILED","message":"key disabled","data":null}"#);
        assert!(matches!(failed, Err(GatewayError::Api(_))), "{failed:?}");
        let html = parse_ttapi_account(200, "<html>login</html>").unwrap_err();
        assert!(html.to_string().contains("web page"), "{html}");
        let none = parse_ttapi_account(200, r#"{"status":"SUCCESS","data":{"balance":-3}}"#).unwrap_err();
        assert!(none.to_string().contains("no balance"), "{none}");
    }

    #[test]
    fn only_ttapi_has_an_account_call() {
        assert_eq!(build_account(Provider::Ttapi).map(|p| p.path), Some(TTAPI_INFO.to_owned()));
        assert!(build_account(Provider::Acedata).is_none());
        assert!(build_account(Provider::Vtrix).is_none());
    }
}
