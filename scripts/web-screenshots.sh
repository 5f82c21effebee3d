#!/usr/bin/env bash
# Renders docs/web-my-day.png and docs/web-lead.png: the web app's My day
# and a lead's page on the demo morning, in headless Chromium at a phone's
# width, taken by the browser test (tests/it/web/browser.rs) as it runs.
#
#   scripts/web-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/smtp.sh install
bash scripts/chromedriver.sh install
LEADMAIL_WEB_SCREENSHOTS="$PWD/docs" LEADMAIL_REQUIRE_SERVERS=1 \
  cargo test --locked --all-features --test it -- --include-ignored web::browser::
echo "wrote docs/web-my-day.png docs/web-lead.png"
