//! POSTs one OTLP/JSON body to the collector with the global `fetch`, and reads what the
//! answer means for it.

use std::collections::BTreeMap;

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

use super::fetch_client;
use super::idb_schema::describe;
use crate::core::error::{FieldError, Rule};
use crate::core::export::{OutboxEntry, SendOutcome};

/// The idempotency header: the entry's batch id, for collectors that dedupe resends.
pub const BATCH_HEADER: &str = "X-Apiscope-Batch";
/// How much of an error response goes into `stats().lastError`.
const DETAIL_CHARS: usize = 200;

/// The collector endpoint and the headers every request carries.
pub struct Collector {
    url: String,
    headers: Headers,
}

impl Collector {
    /// `url` as the browser's URL parser (the one fetch uses) normalises it, and the user's
    /// headers plus `Content-Type: application/json` (which wins over a user value).
    pub fn new(url: &str, headers: &BTreeMap<String, String>) -> Result<Collector, FieldError> {
        let not_url = || FieldError::new("export.url", Rule::Form("an absolute http(s) URL"));
        let parsed = web_sys::Url::new(url).map_err(|_| not_url().got_text(url))?;
        if !matches!(parsed.protocol().as_str(), "http:" | "https:") {
            return Err(not_url().got_text(url));
        }
        let header_error = |e: JsValue| {
            FieldError::new("export.headers", Rule::Form("valid headers")).got_text(describe(&e))
        };
        let all = Headers::new().map_err(header_error)?;
        for (name, value) in headers {
            all.set(name, value).map_err(header_error)?;
        }
        all.set("Content-Type", "application/json")
            .map_err(header_error)?;
        Ok(Collector {
            url: parsed.href(),
            headers: all,
        })
    }

    /// The URL requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Issues the POST now, before returning: a page hide cannot wait for a later task.
    pub fn post(&self, entry: &OutboxEntry, keepalive: bool) -> Result<Promise, JsValue> {
        let headers = Headers::new_with_headers(&self.headers)?;
        headers.set(BATCH_HEADER, &entry.key.batch_id())?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&entry.body));
        // web-sys has no setter for it yet.
        Reflect::set(&init, &"keepalive".into(), &keepalive.into())?;
        let request = fetch_client::new_request(&self.url.as_str().into(), &init)?;
        fetch_client::send(&request)
    }
}

/// What a POST started by [`Collector::post`] came to. A network error, a refused keepalive
/// and a CORS failure all count as failed (retried); the response body is read so that the
/// connection is free again, and quoted in the error.
pub async fn outcome(sent: Result<Promise, JsValue>) -> SendOutcome {
    let answer = match sent {
        Ok(promise) => JsFuture::from(promise).await,
        Err(e) => Err(e),
    };
    let response: Response = match answer.and_then(|r| r.dyn_into()) {
        Ok(response) => response,
        Err(e) => return SendOutcome::Failed(format!("network error: {}", describe(&e))),
    };
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    let detail: String = text
        .and_then(|t| t.as_string())
        .unwrap_or_default()
        .chars()
        .take(DETAIL_CHARS)
        .collect();
    SendOutcome::from_status(response.status(), &detail)
}
