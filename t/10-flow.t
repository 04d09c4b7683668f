# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The browser flow of mod_auth_jwtsso: redirect to the IdP, token
# consumption, the session, the state binding, the unauthenticated action,
# URL building, redaction of the token from the logs, spoofed headers.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);      # its plan() knows need_module()
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_unescape);
use JSON::PP ();
use Digest::SHA qw(sha256_hex);

plan tests => 189, need_module('mod_auth_jwtsso.c');

my $BASE = base_url();               # http://127.0.0.1:PORT
my $IDP  = 'https://idp.example.test/login';
my $PUB  = 'https://public.example.test:8443/mount';
my @TOKENS;                          # every token sent, for the log checks at the end

# ---------------------------------------------------------------- helpers

sub tok { push @TOKENS, $_[0]; return $_[0] }
sub sig { (split /\./, shift)[2] }
sub fp  { substr(sha256_hex(shift), 0, 8) }

# Set-Cookie headers of a response: [{name, value, attr => {lc name => value|1}}]
sub set_cookies {
    my $res = shift;
    my @out;
    for my $h ($res->header('Set-Cookie')) {
        next unless defined $h;
        my ($nv, @attrs) = split /;\s*/, $h;
        my ($n, $v) = split /=/, $nv, 2;
        my %a;
        for (@attrs) {
            my ($k, $x) = split /=/, $_, 2;
            $a{lc $k} = defined $x ? $x : 1;
        }
        push @out, { name => $n, value => $v // '', attr => \%a, raw => $h };
    }
    return @out;
}
sub cookie_of { my ($res, $name) = @_; (grep { $_->{name} eq $name } set_cookies($res))[0] }

# The decoded value of the one parameter $param of an IdP Location.
sub return_of {
    my ($loc, $param) = @_;
    $param //= 'return_to';
    return undef unless defined $loc && $loc =~ /[?&]\Q$param\E=([^&]*)(?:&|$)/;
    return uri_unescape($1);
}

# Start a login at $path with $ua: (response, decoded return URL, state).
sub start_login {
    my ($ua, $path, @h) = @_;
    my $res = req($ua, 'GET', "$BASE$path", @h);
    # on https sites the state cookie has the __Host- prefix (t/83-hardening.t)
    my $c = cookie_of($res, 'jwtsso_state') || cookie_of($res, '__Host-jwtsso_state');
    return ($res, return_of($res->header('Location')), $c ? $c->{value} : undef);
}

sub no_token_in {
    my ($text, $token, $what) = @_;
    ok index($text, $token) < 0 && index($text, sig($token)) < 0, $what;
}

sub log_has {
    my ($mark, $re, $what) = @_;
    like scalar(error_log_since($mark, $re)), $re, $what;
}

my $main = secret('main');

# ================================================================ 1. full round trip (jsonwebtoken)
{
    my $token = tok(node_token($main, { sub => 'alice', groups => ['a', 'b'], email => 'a@example.test' },
                               { expiresIn => '1h', algorithm => 'HS256' }));
    my $ua = ua();
    my $page = "$BASE/app/sso/page?x=1&y=two%20words";

    my $m = error_log_mark();
    my $res = $ua->get($page);
    is $res->code, 302, '1: no session: GET /app/sso/page redirects';
    my $loc = $res->header('Location') // '';
    like $loc, qr{^\Q$IDP\E\?client=t&return_to=[^&]+$}, '1: Location is the endpoint, its own client=t kept, then return_to';
    my ($enc) = $loc =~ /return_to=([^&]*)$/;
    like $enc // '', qr{^[A-Za-z0-9%._~-]+$}, '1: return_to is fully percent-encoded';
    my $sc = cookie_of($res, 'jwtsso_state');
    ok $sc, '1: Set-Cookie jwtsso_state on the redirect';
    my $S = $sc ? $sc->{value} : '';
    like $S, qr/^[0-9a-f]{32}$/, '1: state is 32 hex digits';
    my $ret = uri_unescape($enc // '');
    is $ret, "$page&jwtsso_state=$S", '1: return_to is the absolute URL, query and encoding kept, plus jwtsso_state';
    is $sc && $sc->{attr}{path}, '/', '1: state cookie Path=/';
    is $sc && $sc->{attr}{'max-age'}, '600', '1: state cookie Max-Age=600';
    ok $sc && $sc->{attr}{httponly}, '1: state cookie HttpOnly';
    is lc($sc && $sc->{attr}{samesite} || ''), 'lax', '1: state cookie SameSite=Lax';
    ok $sc && !exists $sc->{attr}{secure}, '1: state cookie not Secure over http';
    like $res->header('Cache-Control') // '', qr/no-store/, '1: redirect has Cache-Control: no-store';
    ok !cookie_of($res, 'jwtsso_session'), '1: no session cookie on the login redirect';
    log_has($m, qr/JWTSSO00412/, '1: error_log JWTSSO00412 (redirect to log in)');

    # the IdP sends the browser back
    $m = error_log_mark();
    my $am = access_log_mark();
    $res = $ua->get("$ret&jwt=$token");
    is $res->code, 302, '1: token consumed: 302';
    is $res->header('Location'), $page, '1: redirect to the clean URL (jwt and jwtsso_state removed, encoding kept)';
    my $sess = cookie_of($res, 'jwtsso_session');
    ok $sess && length $sess->{value}, "1: the module's own 302 sets the jwtsso_session cookie"
        or diag $res->headers->as_string;
    my $cl = cookie_of($res, 'jwtsso_state');
    ok $cl && $cl->{value} eq '' && ($cl->{attr}{'max-age'} // '') eq '0', '1: state cookie cleared (Max-Age=0)';
    like $res->header('Cache-Control') // '', qr/no-store/, '1: token 302 has Cache-Control: no-store';
    no_token_in($res->as_string, $token, '1: token 302 does not echo the token');
    my $log = error_log_since($m, qr/JWTSSO00408/);
    my $fp = fp($token);
    like $log, qr/JWTSSO00408: login: user 'alice' \(alg HS256, token \Q$fp\E\)/,
        '1: error_log JWTSSO00408 login with user alice, alg and fingerprint';
    no_token_in($log, $token, '1: the login log line does not contain the token');

    # 6. the access log of that request
    my $alog = access_log_since($am, qr/jwt=\[redacted\]/);
    like $alog, qr{"GET /app/sso/page\?x=1&y=two%20words&jwtsso_state=\Q$S\E&jwt=\[redacted\] HTTP/1\.1" q="\?x=1&y=two%20words&jwtsso_state=\Q$S\E&jwt=\[redacted\]" 302 loc="\Q$page\E"},
        '6: access log %r and %q have jwt=[redacted]';
    no_token_in($alog, $token, '6: access log has neither the token nor its signature');

    # the clean URL with the session
    $res = $ua->get($page);
    is $res->code, 200, '1: clean URL with the session: 200' or diag $res->as_string;
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'alice', '1: REMOTE_USER=alice';
    is $v->{AUTH_TYPE}, 'jwtsso', '1: AUTH_TYPE=jwtsso';
    is $v->{JWTSSO_CLAIM_SUB}, 'alice', '1: JWTSSO_CLAIM_SUB';
    is $v->{JWTSSO_CLAIM_GROUPS}, 'a,b', '1: JWTSSO_CLAIM_GROUPS (array joined with ,)';
    is $v->{JWTSSO_CLAIM_EMAIL}, 'a@example.test', '1: JWTSSO_CLAIM_EMAIL';
    my $claims = eval { JSON::PP->new->decode($v->{JWTSSO_CLAIMS} // '') };
    is ref $claims && $claims->{sub}, 'alice', '1: JWTSSO_CLAIMS is JSON with sub alice';
    is_deeply ref $claims && $claims->{groups}, ['a', 'b'], '1: JWTSSO_CLAIMS groups array';
    is $v->{QUERY_STRING}, 'x=1&y=two%20words', '1: QUERY_STRING as the client sent it';
    ok !cookie_of($res, 'jwtsso_session'), '1: a valid session is not rewritten (no Set-Cookie jwtsso_session)';
    ok !cookie_of($res, 'jwtsso_state'), '1: no state cookie with a session';
}

# ================================================================ 2. PyJWT tokens
{
    my $py = tok(py_token($main, { sub => 'bob', exp => time + 3600 }));
    my $ua = ua();
    my $res = $ua->get("$BASE/app/py/?jwt=$py");
    is $res->code, 302, '2: /app/py (max age off, state off): PyJWT token consumed: 302';
    is $res->header('Location'), "$BASE/app/py/", '2: redirect to /app/py/ without the token';
    ok cookie_of($res, 'jwtsso_session'), '2: session cookie on the 302';
    $res = $ua->get("$BASE/app/py/");
    is $res->code, 200, '2: /app/py/ with the session: 200';
    is app_vars($res)->{REMOTE_USER}, 'bob', '2: REMOTE_USER=bob';

    my $m = error_log_mark();
    $res = ua()->get("$BASE/app/nostate/?jwt=$py");
    is $res->code, 401, '2: the PyJWT token (no iat) at /app/nostate (max age 60): 401';
    my $log = error_log_since($m, qr/JWTSSO00220/);
    like $log, qr/JWTSSO00220: token refused: no_iat\b.*token \Q${\ fp($py)}\E/, '2: error_log JWTSSO00220 no_iat with the fingerprint';
    ok !cookie_of($res, 'jwtsso_session'), '2: no session cookie on the 401';
    no_token_in($res->content, $py, '2: 401 body does not contain the token');
}

# ================================================================ 3. state binding
{
    my $tok = tok(node_token($main, { sub => 'carol' }, { expiresIn => '1h' }));

    # (a) right state param, but the browser lost the state cookie
    my $ua = ua();
    my ($res, $ret, $S) = start_login($ua, '/app/sso/s3?a=1');
    is $res->code, 302, '3a: login started';
    $ua->cookie_jar->clear;
    my $m = error_log_mark();
    $res = $ua->get("$ret&jwt=$tok");
    is $res->code, 401, '3a: token with the right state param but no state cookie: 401';
    log_has($m, qr/JWTSSO00402/, '3a: error_log JWTSSO00402 (no state cookie)');
    ok !cookie_of($res, 'jwtsso_session'), '3a: no session cookie set';
    no_token_in($res->content, $tok, '3a: 401 body does not contain the token');

    # (b) state cookie present, the return URL lacks jwtsso_state
    my $ub = ua();
    ($res, $ret, $S) = start_login($ub, '/app/sso/s3?a=1');
    ok defined $S, '3b: login started, state cookie kept';
    $m = error_log_mark();
    $res = $ub->get("$BASE/app/sso/s3?a=1&jwt=$tok");
    is $res->code, 401, '3b: state cookie but no jwtsso_state in the URL: 401';
    log_has($m, qr/JWTSSO00403/, '3b: error_log JWTSSO00403 (no jwtsso_state)');
    ok !cookie_of($res, 'jwtsso_session'), '3b: no session cookie set';
    no_token_in($res->content, $tok, '3b: 401 body does not contain the token');

    # (c) a state from another login (another browser's return URL)
    my $other = ua();
    my (undef, $ret_other, $S_other) = start_login($other, '/app/sso/s3?a=1');
    isnt $S_other, $S, '3c: each login has its own state';
    $m = error_log_mark();
    $res = $ub->get("$ret_other&jwt=$tok");
    is $res->code, 401, '3c: state param of another login: 401';
    log_has($m, qr/JWTSSO00404/, '3c: error_log JWTSSO00404 (state mismatch)');
    ok !cookie_of($res, 'jwtsso_session'), '3c: no session cookie set';
    no_token_in($res->content, $tok, '3c: 401 body does not contain the token');

    # (d) replay after a successful login (state cookie now cleared)
    my $tok2 = tok(node_token($main, { sub => 'dan' }, { expiresIn => '1h' }));
    my $ud = ua();
    ($res, $ret, $S) = start_login($ud, '/app/sso/s3d?b=2');
    my $back = "$ret&jwt=$tok2";
    $res = $ud->get($back);
    is $res->code, 302, '3d: login succeeds';
    is $res->header('Location'), "$BASE/app/sso/s3d?b=2", '3d: redirect to the clean URL';
    $m = error_log_mark();
    $res = $ud->get($back);
    is $res->code, 401, '3d: replaying the same token URL in the same browser: 401';
    log_has($m, qr/JWTSSO00402/, '3d: error_log JWTSSO00402 (state cookie was used up)');
    no_token_in($res->content, $tok2, '3d: 401 body does not contain the token');

    # (e) login CSRF: a second browser gets the first browser's return URL with the token
    my $ue = ua();
    $m = error_log_mark();
    $res = $ue->get($back);
    is $res->code, 401, "3e: a fresh browser presenting another browser's return URL + token: 401";
    log_has($m, qr/JWTSSO00402/, '3e: error_log JWTSSO00402');
    ok !cookie_of($res, 'jwtsso_session'), '3e: no session cookie set';
    no_token_in($res->content, $tok2, '3e: 401 body does not contain the token');
    $res = $ue->get("$BASE/app/sso/s3d?b=2");
    is $res->code, 302, '3e: the second browser is not logged in';
}

# ================================================================ 4. duplicate token parameter
{
    my $ta = tok(node_token($main, { sub => 'amy' }, { expiresIn => '1h' }));
    my $tb = tok(node_token($main, { sub => 'ben' }, { expiresIn => '1h' }));
    for my $path ('/app/nostate/d', '/app/sso/d') {
        my $m = error_log_mark();
        my $res = ua()->get("$BASE$path?jwt=$ta&jwt=$tb");
        is $res->code, 401, "4: $path?jwt=A&jwt=B: 401";
        log_has($m, qr/JWTSSO00401/, "4: $path: error_log JWTSSO00401 (duplicate_param)");
        ok !cookie_of($res, 'jwtsso_session'), "4: $path: no session cookie";
    }
}

# ================================================================ 5. unauthenticated action
{
    my @cases = (
        # name, method, path, headers, status
        ['POST at /app/sso',                          'POST', '/app/sso/u', [], 401],
        ['GET X-Requested-With at /app/sso',          'GET',  '/app/sso/u', ['X-Requested-With' => 'XMLHttpRequest'], 401],
        ['GET Sec-Fetch-Mode: cors at /app/sso',      'GET',  '/app/sso/u', ['Sec-Fetch-Mode' => 'cors'], 401],
        ['GET Sec-Fetch-Mode: navigate at /app/sso',  'GET',  '/app/sso/u', ['Sec-Fetch-Mode' => 'navigate'], 302],
        ['GET Accept: application/json at /app/sso',  'GET',  '/app/sso/u', [Accept => 'application/json'], 401],
        ['GET Accept: text/html at /app/sso',         'GET',  '/app/sso/u', [Accept => 'text/html,application/xhtml+xml;q=0.9'], 302],
        ['GET Accept: */* at /app/sso',               'GET',  '/app/sso/u', [Accept => '*/*'], 302],
        ['HEAD at /app/sso',                          'HEAD', '/app/sso/u', [], 302],
        ['GET at /app/deny (action 401)',             'GET',  '/app/deny/u', [], 401],
        ['GET X-Requested-With at /app/always',       'GET',  '/app/always/u', ['X-Requested-With' => 'XMLHttpRequest'], 302],
    );
    for my $c (@cases) {
        my ($name, $method, $path, $h, $want) = @$c;
        my $m = error_log_mark();
        my $res = req(ua(), $method, "$BASE$path", @$h);
        is $res->code, $want, "5: $name: $want";
        if ($want == 401) {
            ok !defined $res->header('Location'), "5: $name: no Location";
            ok !cookie_of($res, 'jwtsso_state'), "5: $name: no state cookie";
            log_has($m, qr/JWTSSO00409/, "5: $name: error_log JWTSSO00409");
        }
        else {
            like $res->header('Location') // '', qr{^\Q$IDP\E\?client=t&return_to=}, "5: $name: Location to the IdP";
        }
    }

    # /app/pass: optional login under Require all granted
    my $m = error_log_mark();
    my $res = ua()->get("$BASE/app/pass/anon");
    is $res->code, 200, '5: /app/pass anonymous: 200';
    my $v = app_vars($res);
    ok !defined $v->{REMOTE_USER} || $v->{REMOTE_USER} eq '', '5: /app/pass anonymous: no REMOTE_USER';
    ok !grep({ /^JWTSSO_/ } keys %$v), '5: /app/pass anonymous: no JWTSSO_* variables';
    log_has($m, qr/JWTSSO00414/, '5: /app/pass anonymous: error_log JWTSSO00414');

    my $good = tok(node_token($main, { sub => 'paula' }, { expiresIn => '1h' }));
    my $ua = ua();
    $res = $ua->get("$BASE/app/pass/p?k=v&jwt=$good");
    is $res->code, 302, '5: /app/pass with a valid token: 302';
    is $res->header('Location'), "$BASE/app/pass/p?k=v", '5: /app/pass: redirect to the clean URL';
    my $sess = cookie_of($res, 'jwtsso_session');
    ok $sess, '5: /app/pass: session cookie on the 302';
    $res = $ua->get("$BASE/app/pass/p?k=v");
    is $res->code, 200, '5: /app/pass with the session: 200';
    is app_vars($res)->{REMOTE_USER}, 'paula', '5: /app/pass with the session: REMOTE_USER=paula';

    my $bad = tok(node_token(secret('other'), { sub => 'paula' }, { expiresIn => '1h' }));
    $m = error_log_mark();
    $res = ua()->get("$BASE/app/pass/p?jwt=$bad");
    is $res->code, 401, '5: /app/pass with a bad-signature token: 401';
    log_has($m, qr/JWTSSO00213/, '5: /app/pass bad signature: error_log JWTSSO00213');
    no_token_in($res->content, $bad, '5: /app/pass 401 body does not contain the token');

    for my $forged ('jwtsso=forged', 'jwtsso=v1.paula.0.99999999999.AAAA', 'garbage') {
        $m = error_log_mark();
        $res = req(ua(), 'GET', "$BASE/app/pass/f", Cookie => "jwtsso_session=$forged");
        is $res->code, 200, "5: /app/pass with a forged session cookie ($forged): 200";
        is app_vars($res)->{REMOTE_USER}, '', "5: /app/pass forged session ($forged): anonymous";
    }
    if ($sess) {
        # a real session cookie, edited: one character of the record changed
        my $val = $sess->{value};
        my $pos = rindex($val, 'paula');
        if ($pos < 0) { $pos = length($val) - 3 }
        my $orig = substr($val, $pos, 1);
        substr($val, $pos, 1) = $orig eq 'p' ? 'q' : ($orig =~ /[A-Z]/ ? 'a' : 'A');
        $res = req(ua(), 'GET', "$BASE/app/pass/f", Cookie => "jwtsso_session=$val");
        is $res->code, 200, '5: /app/pass with an edited real session cookie: 200';
        is app_vars($res)->{REMOTE_USER}, '', '5: /app/pass edited session: anonymous';
    }
    else {
        fail('5: /app/pass edited session: no session cookie to edit') for 1 .. 2;
    }
}

# ================================================================ 7. URL building
{
    # JWTSSOPublicURL, renamed return param
    my ($res, undef, $S) = start_login(ua(), '/app/public/p?q=1');
    is $res->code, 302, '7: /app/public: 302';
    my $loc = $res->header('Location') // '';
    like $loc, qr{^\Q$IDP\E\?client=t&next=[^&]+$}, '7: /app/public: Location has next= (JWTSSOReturnParam)';
    is return_of($loc, 'next'), "$PUB/app/public/p?q=1&jwtsso_state=" . ($S // ''),
        '7: /app/public: return URL built from JWTSSOPublicURL (origin and mount)';
    my $sc = cookie_of($res, '__Host-jwtsso_state');
    ok $sc && $sc->{attr}{secure}, '7: /app/public: state cookie __Host-jwtsso_state, Secure (https public URL)';

    ($res, undef, $S) = start_login(ua(), '/app/public/p?q=1', Host => 'evil.example');
    is return_of($res->header('Location'), 'next'), "$PUB/app/public/p?q=1&jwtsso_state=" . ($S // ''),
        '7: /app/public: a Host: evil.example header does not change the return URL';

    # JWTSSOTrustForwarded On
    ($res) = start_login(ua(), '/app/fwd/f?z=9',
        'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'proxy.example.test');
    like return_of($res->header('Location')) // '', qr{^https://proxy\.example\.test/app/fwd/f\?z=9&jwtsso_state=[0-9a-f]{32}$},
        '7: /app/fwd: X-Forwarded-Proto/-Host shape the return URL';
    $sc = cookie_of($res, '__Host-jwtsso_state');
    ok $sc && $sc->{attr}{secure}, '7: /app/fwd: state cookie __Host-, Secure when forwarded proto is https';

    ($res) = start_login(ua(), '/app/fwd/g',
        'X-Forwarded-Proto' => ' https , http', 'X-Forwarded-Host' => ' Proxy.Example.test , other.example');
    like return_of($res->header('Location')) // '', qr{^https://proxy\.example\.test/app/fwd/g\?jwtsso_state=},
        '7: /app/fwd: first element of a forwarded list, trimmed, host lower-cased';
    ($res) = start_login(ua(), '/app/fwd/g', 'X-Scheme' => 'https', 'X-Forwarded-Host' => 'proxy.example.test:8443');
    like return_of($res->header('Location')) // '', qr{^https://proxy\.example\.test:8443/app/fwd/g\?jwtsso_state=},
        '7: /app/fwd: X-Scheme when there is no X-Forwarded-Proto; host:port kept';

    for my $junk ('evil.example/x', 'a b', 'evil.example?x', 'evil.example@x', 'x"y') {
        ($res) = start_login(ua(), '/app/fwd/f', 'X-Forwarded-Host' => $junk);
        like return_of($res->header('Location')) // '', qr{^\Q$BASE\E/app/fwd/f\?jwtsso_state=},
            "7: /app/fwd: X-Forwarded-Host '$junk' is ignored (falls back to $BASE)";
    }

    ($res) = start_login(ua(), '/app/sso/f',
        'X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'proxy.example.test');
    like return_of($res->header('Location')) // '', qr{^\Q$BASE\E/app/sso/f\?jwtsso_state=},
        '7: /app/sso (trust off): X-Forwarded-* ignored';

    # a relative endpoint
    ($res, undef, $S) = start_login(ua(), '/app/relative/r');
    $loc = $res->header('Location') // '';
    like $loc, qr{^\Q$BASE\E/idp/login\?return_to=[^&]+$}, '7: /app/relative: endpoint /idp/login made absolute on this site';
    is return_of($loc), "$BASE/app/relative/r?jwtsso_state=" . ($S // ''), '7: /app/relative: return_to';
}

# ================================================================ 8. renamed token param, public URL, full dance
{
    my $tok = tok(node_token($main, { sub => 'dave' }, { expiresIn => '1h' }));
    my $to_local = sub {
        my $u = shift // '';
        $u =~ s{^\Q$PUB\E(?=/)}{$BASE} or return undef;
        return $u;
    };
    my $ua = ua();
    my ($res, undef, $S) = start_login($ua, '/app/public/p?q=1');
    my $next = return_of($res->header('Location'), 'next');
    my $back = $to_local->($next);
    ok defined $back, '8: return URL is under the public URL';
    # the state cookie is Secure: the jar will not send it over http, send it by hand
    $res = req($ua, 'GET', ($back // "$BASE/app/public/p?q=1") . "&token=$tok", Cookie => "__Host-jwtsso_state=" . ($S // ''));
    is $res->code, 302, '8: /app/public ?token= consumed: 302';
    is $res->header('Location'), "$PUB/app/public/p?q=1", '8: redirect to the clean public URL';
    ok cookie_of($res, 'jwtsso_session'), '8: session cookie on the 302';
    my $cl = cookie_of($res, '__Host-jwtsso_state');
    ok $cl && ($cl->{attr}{'max-age'} // '') eq '0' && $cl->{attr}{secure}, '8: state cookie cleared (Max-Age=0, Secure)';
    $res = $ua->get($to_local->($res->header('Location')) // "$BASE/app/public/p?q=1");
    is $res->code, 200, '8: clean URL with the session: 200';
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'dave', '8: REMOTE_USER=dave';
    is $v->{QUERY_STRING}, 'q=1', '8: QUERY_STRING q=1';

    # the default name is not the token param here
    $res = req(ua(), 'GET', "$BASE/app/public/p?jwt=not-a-token", Cookie => "jwtsso_state=" . ($S // ''));
    is $res->code, 302, '8: ?jwt= at /app/public is not a token (redirect to log in)';
    like $res->header('Location') // '', qr{^\Q$IDP\E\?}, '8: ... to the IdP';
}

# ================================================================ 9. spoofed claim headers
{
    my @spoof = ('X-JWTSSO-Claim-Sub' => 'mallory', ':x-jwtsso-claim-role' => 'admin',
                 ':X_JWTSSO_CLAIM_ROLE' => 'admin', ':X-JWTSSO_Claim_Sub' => 'mallory');

    # control: where JWTSSOStripHeaders is Off (/echo) the CGI sees (the
    # dash spellings of) them; elsewhere they are removed (t/81-headers.t)
    my $res = req(ua(), 'GET', "$BASE/echo/spoof", @spoof);
    my $v = app_vars($res);
    is $v->{HTTP_X_JWTSSO_CLAIM_SUB}, 'mallory', '9: control: /echo (JWTSSOStripHeaders Off) sees X-JWTSSO-Claim-Sub';
    is $v->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'admin', '9: control: /echo sees x-jwtsso-claim-role';
    $v = app_vars(req(ua(), 'GET', "$BASE/cgi/app.cgi/spoof", @spoof));
    ok !exists $v->{HTTP_X_JWTSSO_CLAIM_SUB} && !exists $v->{HTTP_X_JWTSSO_CLAIM_ROLE},
        '9: an unprotected CGI of this server does not see them';

    my $tok = tok(node_token($main, { sub => 'erin' }, { expiresIn => '1h' }));
    my $ua = ua();
    $res = $ua->get("$BASE/app/nostate/h?jwt=$tok");
    is $res->code, 302, '9: login at /app/nostate';
    $res = req($ua, 'GET', "$BASE/app/nostate/h", @spoof);
    is $res->code, 200, '9: /app/nostate with session and spoofed headers: 200';
    $v = app_vars($res);
    is $v->{REMOTE_USER}, 'erin', '9: REMOTE_USER is the token user';
    is $v->{JWTSSO_CLAIM_SUB}, 'erin', '9: JWTSSO_CLAIM_SUB from the token';
    ok !exists $v->{JWTSSO_CLAIM_ROLE}, '9: no JWTSSO_CLAIM_ROLE';
    is_deeply [grep { /^HTTP_.*JWTSSO/i } sort keys %$v], [], '9: the CGI sees no HTTP_*JWTSSO* variable (with session)';

    $res = req(ua(), 'GET', "$BASE/app/pass/h", @spoof);
    is $res->code, 200, '9: /app/pass anonymous with spoofed headers: 200';
    $v = app_vars($res);
    is $v->{REMOTE_USER}, '', '9: /app/pass: anonymous';
    is_deeply [grep { /^HTTP_.*JWTSSO/i || /^JWTSSO_/ } sort keys %$v], [],
        '9: /app/pass: no HTTP_*JWTSSO* or JWTSSO_* variable (no session)';
}

# ================================================================ 10. no redirect loop
{
    # /app/loop sends browsers to /app/loop/login, which is itself protected
    my $mark = error_log_mark();
    my $res = req(ua(), 'GET', "$BASE/app/loop/page");
    is $res->code, 302, '10: /app/loop/page redirects to the (protected) endpoint';
    like $res->header('Location') // '', qr{^\Q$BASE\E/app/loop/login\?return_to=}, '10: to /app/loop/login';
    $res = req(ua(), 'GET', "$BASE/app/loop/login?return_to=x");
    is $res->code, 500, '10: the endpoint itself under AuthType jwtsso: 500, not another redirect';
    log_has($mark, qr/JWTSSO00416: .*redirect loop/, '10: JWTSSO00416 names the loop');
}

# ================================================================ 11. encoded paths
# The return URL and the URL after the login keep the path as the browser
# wrote it (httpd decodes r->uri in place: /a%3Fb once came back as /a?b,
# a page with a query; issue 14), with the query and the state as before.
{
    for my $case (['/app/sso/a%3Fb', 'an encoded ?'], ['/app/sso/two%20words', 'an encoded space'],
                  ['/app/sso/caf%C3%A9', 'encoded UTF-8'], ['/app/sso/50%25', 'an encoded %']) {
        my ($path, $what) = @$case;
        my $ua = ua();
        my ($res, $ret, $S) = start_login($ua, "$path?k=%2F");
        is $ret, "$BASE$path?k=%2F&jwtsso_state=" . ($S // ''), "11 $what: return_to keeps the path's encoding";
        my $am = access_log_mark();
        $res = $ua->get(($ret // '') . '&jwt=' . tok(fresh_token({ sub => 'gina' })));
        is $res->code, 302, "11 $what: token consumed";
        is $res->header('Location'), "$BASE$path?k=%2F", "11 $what: back to the URL as it was written";
        like scalar(access_log_since($am, qr/redacted/)),
            qr{"GET \Q$path\E\?k=%2F&jwtsso_state=[0-9a-f]{32}&jwt=\[redacted\] HTTP/1\.1"},
            "11 $what: the redacted request line keeps the path";
    }
    # a decoded path would have lost the query's boundary: the clean URL
    # is a page, not /app/sso/a with the query "b"
    my $ua = ua();
    my (undef, $ret) = start_login($ua, '/app/sso/a%3Fb');
    my $res = $ua->get(($ret // '') . '&jwt=' . tok(fresh_token({ sub => 'gina' })));
    is app_vars($ua->get($res->header('Location') // "$BASE/"))->{REQUEST_URI}, '/app/sso/a%3Fb',
        '11 an encoded ?: the app sees the path it was asked for';
}

# ================================================================ 6. no token in the logs
{
    my $elog = do { open my $fh, '<', error_log_path() or die error_log_path() . ": $!"; local $/; <$fh> };
    my $alog = do { open my $fh, '<', access_log_path() or die access_log_path() . ": $!"; local $/; <$fh> };
    my @leaks_e = grep { index($elog, sig($_)) >= 0 || index($elog, $_) >= 0 } @TOKENS;
    my @leaks_a = grep { index($alog, sig($_)) >= 0 || index($alog, $_) >= 0 } @TOKENS;
    is scalar(@leaks_e), 0, '6: error_log contains none of the ' . scalar(@TOKENS) . ' tokens (nor their signatures)';
    is scalar(@leaks_a), 0, '6: jwtsso_access_log contains none of the tokens (nor their signatures)';
    like $alog, qr/jwt=\[redacted\]/, '6: access log shows jwt=[redacted]';
    like $alog, qr/token=\[redacted\]/, '6: access log shows token=[redacted] (renamed param)';
}
