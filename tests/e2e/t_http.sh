#!/bin/sh
# t_http.sh: the HTTP layer end to end, through the real nginx and
# framuga-fcgi: status pages (400/403/404/405/413), security headers on
# every response including errors and nginx's own, HEAD, the language of a
# request, urlencoded and multipart bodies (small in memory, large spilled
# to disk and removed after the request), CSRF refusals, database string
# overrides (J6) and a template override directory (J7).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_init http
mkdir -p "$E2E_RUNDIR/override/news"
E2E_EXTRA_CONFIG="test_routes = on
max_upload_kb = 512
upload_mem_kb = 16
max_fields = 20
template_override_dir = $E2E_RUNDIR/override
brand_name = Okna Testowe
brand_color = #aa3300"
# An override of one template (J7): the maker's own news list.
sed 's|<h1>|<h1 class="maker-override">|' "$top_srcdir/www/templates/news/list.html" \
    >"$E2E_RUNDIR/override/news/list.html"
e2e_start

# Every response of ours carries the security headers.
check_headers() {	# DESC
	_csp=$(http_header Content-Security-Policy)
	like "$_csp" "frame-ancestors 'none'" "$1: CSP with frame-ancestors"
	like "$_csp" "script-src 'self' 'nonce-[A-Za-z0-9+/]{24}'" "$1: CSP script nonce"
	is "$(http_header X-Content-Type-Options)" nosniff "$1: nosniff"
	is "$(http_header Referrer-Policy)" same-origin "$1: Referrer-Policy"
}

http_get / -H 'Accept-Language: pl'
is "$HTTP_STATUS" 200 "home answers 200"
check_headers "home"
like "$(http_body)" '<html lang="pl">' "home is in Polish by default"
like "$(http_body)" 'Okna Testowe' "brand name from config (J7)"
like "$(http_body)" '--brand: #aa3300' "brand colour from config (J7)"
nonce1=$(http_header Content-Security-Policy | sed -n "s/.*'nonce-\([^']*\)'.*/\1/p")
ok "inline style carries the response's nonce" grep -qF "<style nonce=\"$nonce1\">" "$HTTP_BODY"
http_get /
nonce2=$(http_header Content-Security-Policy | sed -n "s/.*'nonce-\([^']*\)'.*/\1/p")
isnt "$nonce1" "$nonce2" "a fresh nonce per response"

http_get /no/such/page -H 'Accept-Language: en-GB,en;q=0.9'
is "$HTTP_STATUS" 404 "unknown path: 404"
check_headers "404"
like "$(http_body)" 'Page not found' "404 page in the language asked for (en)"
http_get /no/such/page -H 'Accept-Language: de'
like "$(http_body)" 'Seite nicht gefunden' "404 page in German"
http_get /no/such/page
like "$(http_body)" 'Nie znaleziono strony' "404 page in Polish by default"

http_request POST / -H 'Content-Type: application/x-www-form-urlencoded' --data 'a=1'
is "$HTTP_STATUS" 405 "POST to a GET page: 405"
is "$(http_header Allow)" "GET, HEAD" "405 names the allowed methods"
check_headers "405"
like "$(http_body)" 'Niedozwolona metoda' "405 page in Polish"

http_request DELETE /news
is "$HTTP_STATUS" 405 "DELETE: 405"

http_request HEAD /news --head
is "$HTTP_STATUS" 200 "HEAD answers 200"
unlike "$(http_body)" '<html' "HEAD has no body"

http_get '/?q=%zz'
is "$HTTP_STATUS" 400 "bad percent-encoding in the query: 400"
check_headers "400"
http_get "/?$(i=0; while [ $i -lt 30 ]; do printf 'f%d=x&' $i; i=$((i+1)); done)"
is "$HTTP_STATUS" 400 "too many query fields: 400"

http_get /portal
is "$HTTP_STATUS" 403 "portal without a session: 403 (deny by default)"
check_headers "403"
http_get /cms
is "$HTTP_STATUS" 403 "CMS without a session: 403"

http_get '/news?before=abc'
is "$HTTP_STATUS" 400 "a malformed page cursor: 400"

# ?lang= switches and remembers the language.
http_get '/?lang=de'
like "$(http_body)" '<html lang="de">' "?lang=de renders German"
like "$(http_header Set-Cookie | tr '\n' ' ')" 'lang=de' "?lang=de sets the lang cookie"
http_get / -H 'Cookie: lang=en'
like "$(http_body)" '<html lang="en">' "the lang cookie is honoured"

# --- forms and CSRF -------------------------------------------------------------
jar=$E2E_RUNDIR/cookies
http_get /_test/form -c "$jar"
token=$(http_body | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
like "$token" '^[0-9a-f]{32}$' "a form carries a CSRF token"
like "$(http_header Set-Cookie)" 'HttpOnly; SameSite=Lax' "the CSRF cookie is HttpOnly, SameSite=Lax"

http_post /_test/form "csrf=$token&name=Okna+Nowak" -b "$jar" -H "Origin: $E2E_URL"
is "$HTTP_STATUS" 200 "form with token and same origin: accepted"
like "$(http_body)" 'Zapisano' "form saved"
http_post /_test/form "name=Okna" -b "$jar"
is "$HTTP_STATUS" 403 "form without a token: 403"
check_headers "CSRF 403"
http_post /_test/form "csrf=0123456789abcdef0123456789abcdef&name=Okna" -b "$jar"
is "$HTTP_STATUS" 403 "form with a wrong token: 403"
http_post /_test/form "csrf=$token&name=Okna" -b "$jar" -H 'Origin: https://evil.example'
is "$HTTP_STATUS" 403 "form from another origin: 403"
http_post /_test/form "csrf=$token&name=Okna" -b "$jar" -H 'Sec-Fetch-Site: cross-site'
is "$HTTP_STATUS" 403 "form with Sec-Fetch-Site cross-site: 403"
http_post /_test/form "csrf=$token&name=Okna"
is "$HTTP_STATUS" 403 "form without the cookie: 403"
http_get "/_test/form?csrf=$token&name=Okna" -b "$jar"
unlike "$(http_body)" 'Zapisano' "GET never changes state"

http_post /_test/form "csrf=$token&name=%3C" -b "$jar"
is "$HTTP_STATUS" 422 "invalid input: 422"
like "$(http_body)" 'value="&lt;"' "the form re-shows what was typed, escaped"
like "$(http_body)" 'Podaj od 2 do 80 znak' "the problem is named"
like "$(http_body)" 'aria-invalid="true"' "the field is marked invalid"
http_post /_test/form "csrf=$token&name=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E" -b "$jar"
is "$HTTP_STATUS" 200 "markup in a value is accepted as text"
unlike "$(http_body)" '<script>alert' "and never reaches the page as markup"

# --- multipart -------------------------------------------------------------------
small=$E2E_RUNDIR/small.txt
big=$E2E_RUNDIR/big.bin
printf 'Zażółć gęślą jaźń\n' >"$small"
head -c 200000 /dev/urandom >"$big"
http_request POST /_test/upload -b "$jar" -F "csrf=$token" -F "note=okno RU" \
    -F "a=@$small;type=text/plain" -F "b=@$big;filename=C:\\dir\\rysunek.bin"
is "$HTTP_STATUS" 200 "multipart upload accepted"
check_headers "JSON"
body=$(http_body)
like "$body" '"note":"okno RU"' "multipart field parsed"
like "$body" "\"sha256\":\"$(sha256sum "$small" | cut -d' ' -f1)\"" "small file intact"
like "$body" "\"sha256\":\"$(sha256sum "$big" | cut -d' ' -f1)\"" "large file intact"
like "$body" '"filename":"rysunek.bin"' "path components removed from the file name"
like "$body" '"size":200000,[^}]*"on_disk":true' "large file streamed to disk"
like "$body" "\"size\":$(wc -c <"$small" | tr -d ' '),[^}]*\"on_disk\":false" "small file kept in memory"
left=$(find "$E2E_RUNDIR/tmp" -type f 2>/dev/null | wc -l)
is "$left" 0 "spilled upload removed after the request"

head -c 600000 /dev/zero >"$E2E_RUNDIR/huge.bin"
http_request POST /_test/upload -b "$jar" -F "csrf=$token" -F "f=@$E2E_RUNDIR/huge.bin"
is "$HTTP_STATUS" 413 "upload above max_upload_kb: 413"
check_headers "413"
like "$(http_body)" 'zbyt duże' "413 page says why, in Polish"

http_request POST /_test/upload -b "$jar" -H 'Content-Type: multipart/form-data; boundary=XyZ' \
    --data-binary "$(printf -- '--XyZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%s\r\n--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end' "$token")"
is "$HTTP_STATUS" 400 "truncated multipart body: 400"

http_request POST /_test/upload -b "$jar" -H 'Content-Type: application/xml' --data-binary '<x/>'
is "$HTTP_STATUS" 415 "unsupported body type: 415"

# --- overrides ---------------------------------------------------------------------
http_get /news
like "$(http_body)" 'class="maker-override"' "a template in the override directory wins (J7)"
like "$(http_body)" '<title>Aktualności' "the shipped layout still wraps it"

sqlite3 "$E2E_DB" "INSERT INTO i18n_override (lang, msgid, msgstr, updated_at) VALUES ('pl', 'Aktualności', 'Nowości u nas', 0)"
http_get /news
like "$(http_body)" 'Nowości u nas' "a database string override wins over the catalog (J6)"
http_get /news -H 'Cookie: lang=en'
like "$(http_body)" '>News<' "the override is per language"
sqlite3 "$E2E_DB" "DELETE FROM i18n_override"
http_get /news
unlike "$(http_body)" 'Nowości u nas' "a removed override is gone on the next request"

# --- static files and nginx's own answers ------------------------------------------
http_get /static/css/framuga.css
is "$HTTP_STATUS" 200 "static CSS served by nginx"
is "$(http_header X-Content-Type-Options)" nosniff "static file: nosniff"
http_get /_accel/anything
is "$HTTP_STATUS" 404 "the internal download location is not reachable directly"
is "$(http_header X-Content-Type-Options)" nosniff "nginx 404: nosniff"

e2e_stop_fcgi
http_get /
is "$HTTP_STATUS" 502 "pool stopped: nginx answers 502"
is "$(http_header X-Content-Type-Options)" nosniff "nginx 502: nosniff"
like "$(http_header Content-Security-Policy)" "frame-ancestors 'none'" "nginx 502: CSP"

done_testing
