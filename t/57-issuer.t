# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The issuer side (issue 13): SetHandler jwtsso-issuer behind Basic auth
# (t/conf/issuer.conf.in) and SetHandler jwtsso-jwks.
#   1. the JSON answer of each key kind (HS256, HS512, RS256, PS256, ES256,
#      EdDSA): header, claims, lifetime, kid, no-store, a log line with the
#      jti and never the token; jti unique across calls
#   2. the tokens verified by npm jsonwebtoken (no EdDSA there), jose and
#      PyJWT (t/bin/verify-tokens.mjs, .py), and a tampered one refused
#   3. return_to: the 302 with jwt= added (a query kept, a fragment kept
#      after it, an old jwt= dropped, scheme/host/port normalised), the
#      prefix on a segment boundary, and every URL off the list a 400 with
#      the reason logged (JWTSSO00984), as is a second return_to (00987)
#   4. no user, never a token: no login (401 from Basic), an issuer without
#      authentication (403, JWTSSO00983); methods
#   5. the JWKS: each key kind, no login needed, cacheable, no private
#      member; 404 for a secret (JWTSSO00986); tokens verified through it by
#      jose and PyJWT, and by a second httpd with JWTSSOVerifyJWKS on a file
#      fetched from it
#   6. the whole login: an app whose JWTSSOAuthEndpoint is the issuer behind
#      Basic auth on the same httpd, LWP with credentials following the
#      redirects lands logged in
#   7. start-up errors (httpd -t): no key, an algorithm the key lacks, bad
#      values of each directive

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JSON::PP ();
use MIME::Base64 ();
use URI::Escape qw(uri_escape);
use File::Temp ();
use File::Spec ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my ($HP) = $BASE =~ m{^http://(.+)$};
my $REALM = 'jwtsso-issuer-test';
my $ISS = 'https://idp.example.test';
my $SECRET = secret('main');
my $JSON = JSON::PP->new->canonical;
my $START = error_log_mark();

# LWP answers a 401 with credentials only while it may follow redirects
# (max_redirect > 0): ua() follows none, so send Basic up front.
sub basic_ua {
    my ($user, $pw, %o) = @_;
    my $ua = ua(%o);
    $ua->default_header(Authorization => 'Basic ' . MIME::Base64::encode_base64("$user:$pw", ''));
    return $ua;
}
sub alice_ua { basic_ua('alice', 'alice-pw', @_) }

sub parts {
    my $t = shift // '';
    my @p = split /\./, $t, -1;
    return (undef, undef) unless @p == 3;
    my ($h, $p) = map { eval { $JSON->decode(b64url_decode($_)) } } @p[0, 1];
    return ($h, $p);
}

# GET $path as alice: the response and, from a JSON answer, the token.
sub issue {
    my ($path, $ua) = @_;
    my $res = ($ua || alice_ua())->get("$BASE$path");
    my $body = eval { $JSON->decode($res->content) } || {};
    return ($res, $body->{token});
}

# Verify jobs with one of the t/bin/verify-tokens scripts: the list of
# answers, one per job.
sub verify_with {
    my ($how, @jobs) = @_;
    my $tmp = File::Temp->new(SUFFIX => '.json', TMPDIR => 1);
    print $tmp $JSON->encode(\@jobs);
    close $tmp;
    my @cmd = $how eq 'node'
        ? ('node', File::Spec->catfile(top_dir(), 't', 'bin', 'verify-tokens.mjs'))
        : ('/usr/bin/python3', File::Spec->catfile(top_dir(), 't', 'bin', 'verify-tokens.py'));
    local $ENV{NODE_PATH} = $ENV{NODE_PATH} || File::Spec->catdir(top_dir(), 'node', 'node_modules');
    my ($rc, $out) = JWTSSOTest::_run_capture(@cmd, "$tmp");
    my ($json) = $out =~ /^(\[.*\])\s*\z/m;
    my $list = eval { JSON::PP->new->decode($json // '') };
    die "$cmd[1] failed (exit $rc): $out" unless ref $list eq 'ARRAY' && @$list == @jobs;
    return @$list;
}

# ================================================================ 1. JSON answers
my %KIND = (
    hs    => { alg => 'HS256', key => $SECRET, aud => 'sites', life => 60 },
    hs512 => { alg => 'HS512', key => $SECRET, life => 60 },
    rs    => { alg => 'RS256', kid => 'k-rsa', key => 'file:' . pub_key_file('rsa-a'), life => 60 },
    ps    => { alg => 'PS256', kid => 'k-rsa', key => 'file:' . pub_key_file('rsa-a'), life => 60 },
    es    => { alg => 'ES256', kid => 'k-ec', key => 'file:' . pub_key_file('ec256'), life => 60 },
    ed    => { alg => 'EdDSA', key => 'file:' . pub_key_file('ed25519'), life => 300 },
);
my %TOKEN;
my %JTI;
for my $k (sort keys %KIND) {
    my $want = $KIND{$k};
    my $mark = error_log_mark();
    my $before = time;
    my ($res, $token) = issue("/issuer/$k");
    is $res->code, 200, "1 $k: 200" or diag $res->as_string;
    like $res->header('Content-Type') // '', qr{^application/json}, "1 $k: a JSON content type";
    is $res->header('Cache-Control'), 'no-store', "1 $k: Cache-Control: no-store";
    is $res->header('X-Content-Type-Options'), 'nosniff', "1 $k: X-Content-Type-Options: nosniff";
    my ($h, $p) = parts($token);
    ok $h && $p, "1 $k: the answer is {\"token\": compact JWS}" or diag $res->content;
    $TOKEN{$k} = $token;
    is $h->{alg}, $want->{alg}, "1 $k: alg $want->{alg}";
    is $h->{typ}, 'JWT', "1 $k: typ JWT";
    is $h->{kid}, $want->{kid}, "1 $k: kid " . ($want->{kid} // 'absent');
    is $p->{sub}, 'alice', "1 $k: sub is the Basic user";
    ok $p->{iat} >= $before - 1 && $p->{iat} <= time + 1, "1 $k: iat is now";
    is $p->{exp} - $p->{iat}, $want->{life}, "1 $k: exp = iat + $want->{life}";
    like $p->{jti} // '', qr/^[A-Za-z0-9_-]{22}$/, "1 $k: jti of 128 bits, base64url";
    is $p->{iss}, $ISS, "1 $k: iss from JWTSSOIssuerName";
    is $p->{aud}, $want->{aud}, "1 $k: aud " . ($want->{aud} // 'absent');
    is_deeply [sort keys %$p], [sort grep { defined $p->{$_} } qw(sub iat exp jti iss aud)],
        "1 $k: no other claim";
    $JTI{$p->{jti} // ''}++;
    my $log = error_log_since($mark, qr/JWTSSO00985/);
    like $log, qr/JWTSSO00985: issuer: token for 'alice' \(jti \Q$p->{jti}\E, $want->{alg}/,
        "1 $k: logged with its jti (JWTSSO00985)";
    unlike $log, qr/\Q$token\E/, "1 $k: the token is not in the error_log" if $token;
    my (undef, undef, $sig) = split /\./, $token // '';
    unlike $log, qr/\Q$sig\E/, "1 $k: nor its signature" if $sig;
}
{
    my (undef, $t1) = issue('/issuer/hs');
    my (undef, $t2) = issue('/issuer/hs');
    my ($j1, $j2) = map { (parts($_))[1]->{jti} } $t1, $t2;
    isnt $j1, $j2, '1: two calls, two jtis';
    is scalar(grep { $_ > 1 } values %JTI), 0, '1: every jti of section 1 differs';
}

# ================================================================ 2. verified by the IdP libraries
{
    my @jobs = map {
        { token => $TOKEN{$_}, alg => $KIND{$_}{alg}, key => $KIND{$_}{key}, iss => $ISS,
          ($KIND{$_}{aud} ? (aud => $KIND{$_}{aud}) : ()) }
    } sort keys %KIND;
    my @node = verify_with('node', @jobs);
    my @py = verify_with('python', @jobs);
    my $i = 0;
    for my $k (sort keys %KIND) {
        my ($n, $py) = ($node[$i], $py[$i]);
        $i++;
        if ($KIND{$k}{alg} eq 'EdDSA') {
            ok $n->{jsonwebtoken}{skipped}, "2 $k: jsonwebtoken 9 has no EdDSA (skipped)";
        }
        else {
            is $n->{jsonwebtoken}{sub}, 'alice', "2 $k: jsonwebtoken verifies it"
                or diag explain $n->{jsonwebtoken};
        }
        is $n->{jose}{sub}, 'alice', "2 $k: jose verifies it" or diag explain $n->{jose};
        is $py->{sub}, 'alice', "2 $k: PyJWT verifies it" or diag explain $py;
    }
    # a control: one bit of the signature flipped, refused by all three
    my $bad = flip_bit($TOKEN{es}, 2);
    my ($n) = verify_with('node', { token => $bad, alg => 'ES256', key => $KIND{es}{key} });
    my ($py) = verify_with('python', { token => $bad, alg => 'ES256', key => $KIND{es}{key} });
    ok $n->{jsonwebtoken}{error} && $n->{jose}{error} && $py->{error},
        '2: a tampered ES256 token is refused by jsonwebtoken, jose and PyJWT';
}

# ================================================================ 3. return_to
sub go {
    my ($path, $url, $ua) = @_;
    return ($ua || alice_ua())->get("$BASE$path?return_to=" . uri_escape($url));
}

# a 302 to $want (the URL before the token) with jwt=TOKEN then $frag
sub redirected {
    my ($label, $url, $want, $frag) = @_;
    my $res = go('/issuer/hs', $url);
    is $res->code, 302, "3 $label: 302" or diag $res->as_string;
    is $res->header('Cache-Control'), 'no-store', "3 $label: no-store";
    my $loc = $res->header('Location') // '';
    my $sep = $want =~ /\?/ ? '&' : '?';
    like $loc, qr/^\Q$want$sep\Ejwt=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\Q$frag\E$/,
        "3 $label: Location $want${sep}jwt=TOKEN$frag" or diag $loc;
    my ($token) = $loc =~ /[?&]jwt=([^&#]+)/;
    my ($h, $p) = parts($token);
    is $p && $p->{sub}, 'alice', "3 $label: the token is alice's";
    is scalar(() = $loc =~ /[?&]jwt=/g), 1, "3 $label: one jwt parameter";
    return $token;
}

redirected('plain', 'http://app.example.test/page', 'http://app.example.test/page', '');
redirected('query kept', 'http://app.example.test/page?a=1&b=x%20y', 'http://app.example.test/page?a=1&b=x%20y', '');
redirected('fragment after', 'http://app.example.test/page?a=1#sec-2', 'http://app.example.test/page?a=1', '#sec-2');
redirected('fragment, no query', 'http://app.example.test/p#top', 'http://app.example.test/p', '#top');
redirected('old jwt dropped', 'http://app.example.test/p?jwt=old.old.old&x=1', 'http://app.example.test/p?x=1', '');
redirected('no path', 'http://app.example.test', 'http://app.example.test/', '');
redirected('normalised', 'HTTP://App.Example.TEST:80/Case', 'http://app.example.test/Case', '');
redirected('prefix itself', 'https://wiki.example.test:8443/wiki', 'https://wiki.example.test:8443/wiki', '');
redirected('under prefix', 'https://wiki.example.test:8443/wiki/Page?x', 'https://wiki.example.test:8443/wiki/Page?x', '');
{
    my $t = redirected('the login flow\'s return_to', "http://$HP/issuer-app/x?jwtsso_state=abc",
                       "http://$HP/issuer-app/x?jwtsso_state=abc", '');
    ok $t, '3: a return_to with the state parameter of the login flow';
}

my @OFF = (
    ['another host', 'http://evil.example/', qr/not under any JWTSSOIssuerAllowedReturnTo prefix/],
    ['a suffix host', 'http://app.example.test.evil.example/', qr/not under any/],
    ['another port', 'http://app.example.test:8080/', qr/not under any/],
    ['another scheme', 'https://app.example.test/', qr/not under any/],
    ['https prefix over http', 'http://wiki.example.test:8443/wiki', qr/not under any/],
    ['default port for 8443', 'https://wiki.example.test/wiki', qr/not under any/],
    ['not a segment boundary', 'https://wiki.example.test:8443/wikipedia', qr/not under any/],
    ['above the prefix', 'https://wiki.example.test:8443/', qr/not under any/],
    ['a dot-dot segment', 'https://wiki.example.test:8443/wiki/../admin', qr/dot segment/],
    ['an encoded dot-dot', 'https://wiki.example.test:8443/wiki/%2e%2E/admin', qr/dot segment/],
    ['an encoded slash', 'https://wiki.example.test:8443/wiki%2F..%2Fadmin', qr/dot segment or an encoded slash/],
    ['scheme-relative', '//app.example.test/', qr/not an absolute http\(s\) URL/],
    ['a path', '/issuer-app/', qr/not an absolute/],
    ['userinfo', 'http://alice@app.example.test/', qr/not an absolute/],
    ['userinfo trick', 'http://app.example.test@evil.example/', qr/not an absolute/],
    ['a backslash', 'http://evil.example\\@app.example.test/', qr/not an absolute/],
    ['a space', 'http://app.example.test/a b', qr/not an absolute/],
    ['a tab', "http://app.example.test/\tx", qr/not an absolute/],
    ['javascript', 'javascript:alert(1)//http://app.example.test/', qr/not an absolute/],
    ['one slash', 'http:/app.example.test/', qr/not an absolute/],
    ['empty', '', qr/not an absolute/],
);
for my $c (@OFF) {
    my ($label, $url, $why) = @$c;
    my $mark = error_log_mark();
    my $res = go('/issuer/hs', $url);
    is $res->code, 400, "3 off-list, $label: 400" or diag $res->as_string;
    ok !$res->header('Location'), "3 off-list, $label: no Location";
    unlike $res->content, qr/eyJ[A-Za-z0-9_-]+\./, "3 off-list, $label: no token in the body";
    my $log = error_log_since($mark, qr/JWTSSO00984/);
    like $log, qr/JWTSSO00984: issuer: no token for 'alice': return_to refused: .*$why/,
        "3 off-list, $label: JWTSSO00984 names why";
    unlike $log, qr/JWTSSO00985/, "3 off-list, $label: no token made";
}
{
    my $mark = error_log_mark();
    my $res = go('/issuer-nolist', 'http://app.example.test/');
    is $res->code, 400, '3: no allow-list configured: 400';
    log_like($mark, qr/JWTSSO00984: .*no JWTSSOIssuerAllowedReturnTo is configured here/,
             '3: no allow-list: the line says so');
    my ($r2, $token) = issue('/issuer-nolist');
    is $r2->code, 200, '3: no allow-list: the JSON answer still works';
    ok $token, '3: no allow-list: a token';

    $mark = error_log_mark();
    $res = alice_ua()->get("$BASE/issuer/hs?return_to=" . uri_escape('http://app.example.test/a')
                           . '&return_to=' . uri_escape('http://evil.example/'));
    is $res->code, 400, '3: return_to twice: 400';
    ok !$res->header('Location'), '3: return_to twice: no Location';
    log_like($mark, qr/JWTSSO00987: issuer: no token: return_to given more than once/,
             '3: return_to twice: JWTSSO00987');
}

# ================================================================ 4. no user, no token; methods
{
    my $res = ua()->get("$BASE/issuer/hs?return_to=" . uri_escape('http://app.example.test/'));
    is $res->code, 401, '4: no credentials: 401 from Basic auth';
    like $res->header('WWW-Authenticate') // '', qr/^Basic realm="\Q$REALM\E"/, '4: a Basic challenge';
    ok !$res->header('Location'), '4: no credentials: no redirect';
    unlike $res->content, qr/eyJ/, '4: no credentials: no token';

    $res = basic_ua('alice', 'wrong')->get("$BASE/issuer/hs");
    is $res->code, 401, '4: a wrong password: 401';
    unlike $res->content, qr/eyJ/, '4: a wrong password: no token';

    my $mark = error_log_mark();
    $res = ua()->get("$BASE/issuer-anon?return_to=" . uri_escape('http://app.example.test/'));
    is $res->code, 403, '4: an issuer without authentication: 403';
    ok !$res->header('Location'), '4: without authentication: no redirect';
    unlike $res->content, qr/eyJ/, '4: without authentication: no token';
    log_like($mark, qr/\[auth_jwtsso:warn\].*JWTSSO00983: issuer: no token: the request has no authenticated user/,
             '4: without authentication: JWTSSO00983 at warn');
    unlike scalar(error_log_since($mark)), qr/JWTSSO00985/, '4: without authentication: no token made';

    $mark = error_log_mark();
    $res = basic_ua('x' x 256, 'long-pw')->get("$BASE/issuer/hs");
    is $res->code, 403, '4: a 256-byte user name (longer than a sub may be): 403';
    unlike $res->content, qr/eyJ/, '4: a 256-byte user name: no token';
    log_like($mark, qr/JWTSSO00988: issuer: no token: the user name 'x{80}' is empty, longer than 255 bytes/,
             '4: a 256-byte user name: JWTSSO00988, the name cut at 80');

    $mark = error_log_mark();
    $res = ua()->get("$BASE/issuer-if");
    is $res->code, 503, '4: a handler set inside <If> without a key: 503';
    log_like($mark, qr/\[auth_jwtsso:error\].*JWTSSO01000: issuer: no key to sign with here/, '4: <If>: JWTSSO01000');
    $mark = error_log_mark();
    $res = ua()->get("$BASE/jwks-if");
    is $res->code, 503, '4: a JWKS handler set inside <If> without a key: 503';
    log_like($mark, qr/JWTSSO01001: jwks: no issuer key here/, '4: <If>: JWTSSO01001');

    $res = alice_ua()->post("$BASE/issuer/hs", Content => 'x=1');
    is $res->code, 200, '4: POST (mod_auth_form posts to the URL it protects): 200';
    ok((parts(eval { $JSON->decode($res->content)->{token} }))[1], '4: POST: a token');

    $res = alice_ua()->put("$BASE/issuer/hs", Content => 'x');
    is $res->code, 405, '4: PUT: 405';
    my %allow = map { $_ => 1 } split /\s*,\s*/, $res->header('Allow') // '';
    ok $allow{GET} && $allow{POST} && !$allow{PUT}, '4: PUT: Allow names GET and POST, not PUT'
        or diag $res->header('Allow');

    $res = alice_ua()->head("$BASE/issuer/hs");
    is $res->code, 200, '4: HEAD: 200';
    is $res->content, '', '4: HEAD: no body';
}

# ================================================================ 5. the JWKS
my %JWKS = (
    '/idp/jwks' => { kty => 'EC', crv => 'P-256', alg => 'ES256', kid => 'k-ec' },
    '/jwks/rs'  => { kty => 'RSA', alg => 'RS256', kid => 'k-rsa' },
    '/jwks/ps'  => { kty => 'RSA', alg => 'PS256', kid => 'k-rsa' },
    '/jwks/ed'  => { kty => 'OKP', crv => 'Ed25519', alg => 'EdDSA' },
);
my %JWKS_TEXT;
for my $path (sort keys %JWKS) {
    my $want = $JWKS{$path};
    my $res = ua()->get("$BASE$path");
    is $res->code, 200, "5 $path: 200 without a login" or diag $res->as_string;
    like $res->header('Content-Type') // '', qr{^application/json}, "5 $path: JSON";
    like $res->header('Cache-Control') // '', qr/max-age=\d+/, "5 $path: cacheable (max-age)";
    my $set = eval { $JSON->decode($res->content) } || {};
    is ref $set->{keys}, 'ARRAY', "5 $path: {\"keys\": [...]}";
    my $jwk = ref $set->{keys} eq 'ARRAY' ? $set->{keys}[0] : {};
    is scalar @{ $set->{keys} || [] }, 1, "5 $path: one key";
    for my $m (sort keys %$want) {
        is $jwk->{$m}, $want->{$m}, "5 $path: $m $want->{$m}";
    }
    ok !exists $jwk->{kid}, "5 $path: no kid (none configured)" unless $want->{kid};
    is $jwk->{use}, 'sig', "5 $path: use sig";
    ok !(grep { exists $jwk->{$_} } qw(d p q dp dq qi k)), "5 $path: no private member";
    $JWKS_TEXT{$path} = $res->content;
}
{
    my $mark = error_log_mark();
    my $res = ua()->get("$BASE/jwks/hs");
    is $res->code, 404, '5 /jwks/hs: a secret has no JWKS: 404';
    unlike $res->content, qr/"keys"|\Q$SECRET\E/, '5 /jwks/hs: no keys, no secret';
    log_like($mark, qr/JWTSSO00986: jwks: the issuer key .* is a shared secret/, '5 /jwks/hs: JWTSSO00986');
    $res = ua()->post("$BASE/idp/jwks", Content => 'x');
    is $res->code, 405, '5: POST to the JWKS: 405';
}
my $dir = File::Temp::tempdir('jwtsso-issuer-XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub write_file { write_in($dir, @_) }
{
    my ($res, $es) = issue('/idp/login', basic_ua('bob', 'bob-pw'));
    is $res->code, 200, '5: /idp/login (key in the parent section): 200';
    is((parts($es))[1]->{sub}, 'bob', '5: /idp/login: bob\'s token');
    my $ec = write_file('ec.json', $JWKS_TEXT{'/idp/jwks'});
    my $rs = write_file('rs.json', $JWKS_TEXT{'/jwks/rs'});
    my $ed = write_file('ed.json', $JWKS_TEXT{'/jwks/ed'});
    my @jobs = (
        { token => $es, alg => 'ES256', jwks => "file:$ec", iss => $ISS },
        { token => $TOKEN{rs}, alg => 'RS256', jwks => "file:$rs", iss => $ISS },
        { token => $TOKEN{ed}, alg => 'EdDSA', jwks => "file:$ed", iss => $ISS },
        { token => $TOKEN{es}, alg => 'ES256', jwks => "file:$ec", iss => $ISS },
        { token => $TOKEN{rs}, alg => 'RS256', jwks => "file:$ec", iss => $ISS },
    );
    my @n = verify_with('node', @jobs);
    my @py = verify_with('python', @jobs);
    for my $i (0 .. 3) {
        my $what = "$jobs[$i]{alg} token through its JWKS";
        ok $n[$i]{jose}{sub}, "5: jose verifies an $what" or diag explain $n[$i];
        ok $py[$i]{sub}, "5: PyJWT verifies an $what" or diag explain $py[$i];
    }
    ok $n[4]{jose}{error} && $py[4]{error}, '5: a token of another key is refused through the EC JWKS (control)';

    # a second httpd verifies the issuer's tokens with the fetched JWKS
    my $h = eval {
        httpd_start(jwtsso_location(
            authname => 'jwks-site',
            extra => "    JWTSSOVerifyJWKS issuer-jwks.json\n"
                   . "    JWTSSOSessionKey \"jwks-site-session-key-0123456789abcdef\"\n"
                   . "    JWTSSOIssuer $ISS\n"),
            files => { 'issuer-jwks.json' => $JWKS_TEXT{'/idp/jwks'} });
    };
    ok $h, '5: a second httpd with JWTSSOVerifyJWKS on the fetched JWKS starts' or diag $@;
    SKIP: {
        skip 'no second httpd', 5 unless $h;
        my (undef, $fresh) = issue('/idp/login');
        my ($r1, $sua) = present_at($h->{base}, '/app/x', $fresh);
        is $r1->code, 302, '5: the issuer\'s token logs in at the second httpd' or diag $r1->as_string;
        ok scalar(session_cookie_of($r1)), '5: a session cookie there';
        my $r2 = $sua->get("$h->{base}/app/x");
        is $r2->code, 200, '5: then the app answers';
        is app_vars($r2)->{REMOTE_USER}, 'alice', '5: REMOTE_USER alice at the second httpd';
        my (undef, $other) = issue('/issuer/rs');
        my ($r3) = present_at($h->{base}, '/app/x', $other);
        is $r3->code, 401, '5: a token of a key not in the JWKS is refused there (control)';
        httpd_stop($h);
    }
}

# ================================================================ 6. the whole login on one httpd
{
    # credentials, not a header: LWP sends them when the issuer asks
    my $ua = ua(max_redirect => 10, requests_redirectable => ['GET', 'HEAD']);
    $ua->credentials($HP, $REALM, 'alice', 'alice-pw');
    my $res = $ua->get("$BASE/issuer-app/page?x=1");
    is $res->code, 200, '6: following the redirects with credentials lands on the app' or diag $res->as_string;
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'alice', '6: REMOTE_USER alice';
    is $v->{QUERY_STRING}, 'x=1', '6: the app\'s query kept, the token and state gone';
    is $v->{JWTSSO_CLAIM_iss} // $v->{JWTSSO_CLAIM_ISS}, $ISS, '6: the issuer\'s iss reached the app';
    my @hops = map { $_->request->uri->path } $res->redirects;
    is_deeply [grep { m{^/issuer/hs$} } @hops], ['/issuer/hs', '/issuer/hs'],
        '6: through the issuer (401, then 302 with the credentials)' or diag explain \@hops;
    $ua->credentials($HP, $REALM, 'nobody', 'x');
    $res = $ua->get("$BASE/issuer-app/other");
    is $res->code, 200, '6: the session holds: no new login';
    is app_vars($res)->{REMOTE_USER}, 'alice', '6: still alice';
}

# ================================================================ 7. start-up
{
    my $keys = keys_dir();
    my $loc = sub {
        my ($body, $handler) = @_;
        $handler //= 'jwtsso-issuer';
        return "<Location /idp>\n    SetHandler $handler\n$body</Location>\n";
    };
    config_bad('no key', $loc->(''),
               [qr/JWTSSO00980: <Location \/idp> .* uses SetHandler jwtsso-issuer but has no key to sign with; add e\.g\. 'JWTSSOIssuerPrivateKey/]);
    config_bad('jwks, no key', $loc->('', 'jwtsso-jwks'),
               [qr/JWTSSO00980: <Location \/idp> .* uses SetHandler jwtsso-jwks but has no key/]);
    config_bad('quoted SetHandler, no key', $loc->('', '"jwtsso-issuer"'),
               [qr/JWTSSO00980/]);
    config_bad('alg the key lacks', $loc->("    JWTSSOIssuerPrivateKey $keys/rsa-a.pem\n    JWTSSOIssuerAlgorithm ES256\n"),
               [qr/JWTSSOIssuerAlgorithm: the algorithm ES256 \(of JWTSSOIssuerAlgorithm\) is not one this key signs with; it serves RS256 RS384 RS512 PS256 PS384 PS512/]);
    config_bad('alg the key lacks, across sections',
               "<Location /idp>\n    JWTSSOIssuerSecret \"$SECRET\"\n</Location>\n"
             . "<Location /idp/token>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerAlgorithm EdDSA\n</Location>\n",
               [qr/JWTSSO00981: <Location \/idp\/token> .* its JWTSSOIssuerAlgorithm EdDSA is not one its key \(.*:\d+\) signs with; that key serves HS256 HS384 HS512/]);
    config_bad('alg none', $loc->("    JWTSSOIssuerSecret \"$SECRET\"\n    JWTSSOIssuerAlgorithm none\n"),
               [qr/JWTSSOIssuerAlgorithm: 'none' is not an algorithm this module signs with/]);
    config_bad('short secret', $loc->("    JWTSSOIssuerSecret short-secret\n"),
               [qr/JWTSSOIssuerSecret: the secret is 12 bytes; at least 32/]);
    config_ok('short secret allowed', $loc->("    JWTSSOAllowShortSecret On\n    JWTSSOIssuerSecret short-secret\n"));
    config_bad('public key', $loc->("    JWTSSOIssuerPrivateKey $keys/rsa-a.pub.pem\n"),
               [qr/JWTSSOIssuerPrivateKey: .*rsa-a\.pub\.pem: .*Give the issuer's PRIVATE key in PEM/]);
    config_bad('no such file', $loc->("    JWTSSOIssuerPrivateKey /nonexistent/k.pem\n"),
               [qr/JWTSSOIssuerPrivateKey: cannot read \/nonexistent\/k\.pem/]);
    config_bad('two keys', $loc->("    JWTSSOIssuerSecret \"$SECRET\"\n    JWTSSOIssuerPrivateKey $keys/ec256.pem\n"),
               [qr/JWTSSOIssuerPrivateKey: this section already has an issuer key \(.*:\d+\)/]);
    my $f = write_file('secret.txt', "$SECRET\n");
    config_ok('secret from a file', $loc->("    JWTSSOIssuerSecret file:$f\n"));
    for my $c (['/relative/'], ['ftp://app.example.test/'], ['http://u@app.example.test/'],
               ['http://app.example.test/?q=1'], ['http://app.example.test/#f'],
               ['http://app.example.test/a/../b'], ['app.example.test']) {
        config_bad("return prefix $c->[0]",
                   $loc->("    JWTSSOIssuerSecret \"$SECRET\"\n    JWTSSOIssuerAllowedReturnTo $c->[0]\n"),
                   [qr/JWTSSOIssuerAllowedReturnTo: '\Q$c->[0]\E' is not an absolute http\(s\) URL prefix/]);
    }
    for my $v ('0', '86401', 'abc', '60s') {
        config_bad("lifetime $v", $loc->("    JWTSSOIssuerSecret \"$SECRET\"\n    JWTSSOIssuerTokenLifetime $v\n"),
                   [qr/JWTSSOIssuerTokenLifetime: '$v' is not a whole number of seconds from 1 to 86400/]);
    }
    config_bad('one section with a key, one without',
               "<Directory /tmp>\n    AllowOverride AuthConfig\n</Directory>\n"
             . "<Location /idp>\n    SetHandler jwtsso-issuer\n    JWTSSOIssuerSecret \"$SECRET\"\n</Location>\n"
             . "<Location /other>\n    SetHandler jwtsso-issuer\n</Location>\n",
               [qr/JWTSSO00980: <Location \/other>/]);
    my $out = config_ok('the README layout (key in the parent, handlers below)',
        "<Location /idp/>\n    JWTSSOIssuerPrivateKey k1 $keys/ed25519.pem\n"
      . "    JWTSSOIssuerAllowedReturnTo https://app.example.com/\n</Location>\n"
      . "<Location /idp/login>\n    AuthType Basic\n    AuthName idp\n    AuthUserFile $keys/none\n"
      . "    Require valid-user\n    SetHandler jwtsso-issuer\n</Location>\n"
      . "<Location /idp/jwks>\n    SetHandler jwtsso-jwks\n    Require all granted\n</Location>\n");
    unlike $out, qr/JWTSSO0098/, 'the README layout: no issuer message';
    $out = config_ok('a JWKS of a secret', $loc->("    JWTSSOIssuerSecret \"$SECRET\"\n", 'jwtsso-jwks'));
    like $out, qr/JWTSSO00982: <Location \/idp> .*shared secret/, 'a JWKS of a secret: warning JWTSSO00982';
    config_ok('issuer directives without the handler', "<Location /x>\n    JWTSSOIssuerName x\n</Location>\n");
}

# ================================================================ no crash, no token in the logs
{
    my $log = error_log_since($START);
    unlike $log, qr/exit signal|AddressSanitizer|runtime error:/, 'no child crashed';
    my $leaked = grep { $log =~ /\Q$_\E/ } grep { defined } values %TOKEN;
    is $leaked, 0, 'no issued token in the error_log';
}

done_testing();
