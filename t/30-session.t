# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The session record kept through mod_session (cookie jwtsso_session,
# path=/, shared by every /app/ scenario). Its value, as mod_session_cookie
# writes it, is mod_session's url-encoded "name=value&..." text holding one
# entry, jwtsso=j1.<b64url body>.<b64url MAC> (src/core/record.c). The MAC
# binds the realm (AuthName) and the public origin; a record the module
# cannot check is simply no session: a redirect to log in (or anonymous
# under JWTSSOUnauthAction pass), never a 500.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use URI::Escape qw(uri_escape uri_unescape);
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $COOKIE = 'jwtsso_session';
my $MAIN = secret('main');
my $LOGIN_RE = qr{^https://idp\.example\.test/login\?client=t&return_to=};

sub now { return time() + 0 }

sub token_for {
    my ($user, %claims) = @_;
    return raw_token(payload => { sub => $user, iat => now(), %claims }, secret => $MAIN);
}

# The value of our session cookie in a response's Set-Cookie headers.
sub set_cookie_value {
    my $res = shift;
    for my $h ($res->header('Set-Cookie')) {
        return $1 if $h =~ /^\Q$COOKIE\E=([^;]*)/;
    }
    return undef;
}

sub session_set_cookies {
    my $res = shift;
    return scalar grep { /^\Q$COOKIE\E=/ } $res->header('Set-Cookie');
}

# Log in at /app/$loc with ?jwt= (no state there): (value, ua, response).
sub login {
    my ($loc, $user, %claims) = @_;
    my $ua = ua();
    my $res = $ua->get(url("/app/$loc/x?jwt=" . uri_escape(token_for($user, %claims))));
    my $v = set_cookie_value($res);
    die "login as $user at /app/$loc failed: " . $res->as_string
        unless $res->code == 302 && defined $v;
    return ($v, $ua, $res);
}

# A request with exactly this session cookie value (no cookie jar).
sub with_cookie {
    my ($path, $value, %hdr) = @_;
    return ua(cookie_jar => undef)->get(url($path), Cookie => "$COOKIE=$value", %hdr);
}

# The record inside a cookie value: mod_session's "k=v&k=v", url-encoded.
sub record_of {
    my $value = shift;
    for my $pair (split /&/, uri_unescape($value)) {
        my ($k, $v) = split /=/, $pair, 2;
        return uri_unescape($v // '') if uri_unescape($k) eq 'jwtsso';
    }
    return undef;
}

sub cookie_with_record { return 'jwtsso=' . uri_escape(shift, '^A-Za-z0-9._~-') }

# Not logged in: /app/nostate redirects to log in and /app/pass (optional
# login, same realm, secret and origin) runs the app without REMOTE_USER.
# The log names the refusal ($why: a reason name, or undef for none).
sub not_logged_in {
    my ($label, $value, $why) = @_;
    my $mark = error_log_mark();
    my $res = with_cookie('/app/nostate/x', $value);
    is $res->code, 302, "$label: 302 at /app/nostate" or diag $res->as_string;
    like $res->header('Location') // '', $LOGIN_RE, "$label: to log in";
    if (defined $why) {
        my $log = error_log_since($mark, qr/JWTSSO0030[12]/);
        like $log, qr/JWTSSO00302: session record refused: \Q$why\E: /, "$label: log says $why"
            or diag "log since mark:\n$log";
    }
    $res = with_cookie('/app/pass/x', $value);
    is $res->code, 200, "$label: 200 at /app/pass" or diag $res->as_string;
    is app_vars($res)->{REMOTE_USER}, '', "$label: no REMOTE_USER at /app/pass";
}

sub logged_in {
    my ($label, $path, $value, $user) = @_;
    my $res = with_cookie($path, $value);
    is $res->code, 200, "$label: 200 at $path" or diag $res->as_string;
    is app_vars($res)->{REMOTE_USER}, $user, "$label: REMOTE_USER $user";
    is session_set_cookies($res), 0, "$label: no Set-Cookie of $COOKIE";
    return $res;
}

# ------------------------------------------------------------------ log in and reuse

my ($alice, $alice_ua, $res) = login('nostate', 'alice', role => 'staff');
my ($hdr) = grep { /^\Q$COOKIE\E=/ } $res->header('Set-Cookie');
like $hdr, qr{;\s*path=/(?:;|$)}i, 'session cookie has path=/';
my $rec = record_of($alice);
like $rec // '', qr/^j1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/, 'cookie holds a j1 record';

for my $i (1 .. 3) {
    my $r = logged_in("reuse $i", '/app/nostate/x', $alice, 'alice');
    my $v = app_vars($r);
    is $v->{JWTSSO_CLAIM_ROLE}, 'staff', "reuse $i: claims from the record";
    is $v->{AUTH_TYPE}, 'jwtsso', "reuse $i: AUTH_TYPE jwtsso";
}
# the jar's cookie works the same, at other scenarios of the same realm too
{
    my $r = $alice_ua->get(url('/app/nostate/y'));
    is $r->code, 200, 'cookie jar: 200';
    is app_vars($r)->{REMOTE_USER}, 'alice', 'cookie jar: REMOTE_USER alice';
    is session_set_cookies($r), 0, 'cookie jar: no Set-Cookie';
}
logged_in('same realm, secret, origin and policy (a nested section)', '/app/nostate/nested/x', $alice, 'alice');

# ------------------------------------------------------------------ other realm, other secret

# and another policy (here JWTSSOMaxAge off): t/80-binding.t has the rest
for my $other (qw(realm2 othersecret py)) {
    my $mark = error_log_mark();
    my $r = with_cookie("/app/$other/x", $alice);
    is $r->code, 302, "/app/$other: the session is none (302)" or diag $r->as_string;
    like $r->header('Location') // '', $LOGIN_RE, "/app/$other: to log in";
    is session_set_cookies($r), 0, "/app/$other: no Set-Cookie";
    my $log = error_log_since($mark, qr/JWTSSO0030[12]/);
    like $log, qr/JWTSSO00302: session record refused: record_bad_mac: /, "/app/$other: log says bad_mac"
        or diag "log since mark:\n$log";
}

# ------------------------------------------------------------------ hand-edited records

{
    my ($pfx, $body64, $mac) = split /\./, $rec;
    my $body = b64url_decode($body64);
    like $body, qr/^alice\n\d+\n\d+\n[A-Za-z0-9_-]{22}\n[^\n=]*=[snzj]/, 'record body: user, times, sid, typed claims';

    (my $admin = $body) =~ s/alice/admin/g;
    isnt $admin, $body, 'edited body differs';
    not_logged_in('alice replaced by admin', cookie_with_record("j1." . b64url($admin) . ".$mac"),
                  'record_bad_mac');

    (my $flipped = $body64) =~ s/^(.)/$1 eq 'Y' ? 'Z' : 'Y'/e;
    not_logged_in('one character of the body changed', cookie_with_record("j1.$flipped.$mac"),
                  'record_bad_mac');

    my @f = split /\n/, $body, -1;
    $f[2] += 86400;                                          # a longer session
    not_logged_in('end moved a day later', cookie_with_record("j1." . b64url(join("\n", @f)) . ".$mac"),
                  'record_bad_mac');

    not_logged_in('truncated record (last character)', cookie_with_record(substr($rec, 0, -1)),
                  'record_malformed');
    not_logged_in('truncated record (half)', cookie_with_record(substr($rec, 0, int(length($rec) / 2))),
                  'record_malformed');
    not_logged_in('record without its MAC', cookie_with_record("j1.$body64"), 'record_malformed');

    # a MAC from another valid record (bob's) on alice's body, and the reverse
    my ($bob) = login('nostate', 'bob');
    my $bob_rec = record_of($bob);
    my (undef, $bob64, $bob_mac) = split /\./, $bob_rec;
    logged_in('bob', '/app/nostate/x', $bob, 'bob');
    not_logged_in("alice's body with bob's MAC", cookie_with_record("j1.$body64.$bob_mac"),
                  'record_bad_mac');
    not_logged_in("bob's body with alice's MAC", cookie_with_record("j1.$bob64.$mac"),
                  'record_bad_mac');
    not_logged_in('prefix j2', cookie_with_record("j2.$body64.$mac"), 'record_malformed');
}

# ------------------------------------------------------------------ garbage

{
    my @garbage = (
        [ 'word', 'garbage', undef ],
        [ 'empty record', 'jwtsso=', 'none' ],
        [ 'j1 and dots', cookie_with_record('j1..'), 'record_malformed' ],
        [ 'bad escapes', 'jwtsso=%zz%', undef ],
        [ 'non-base64 characters', cookie_with_record('j1.!!!!.' . ('#' x 43)), 'record_malformed' ],
        [ 'other entries only', 'a=b&c=d', 'none' ],
        [ 'two jwtsso entries', "$alice&jwtsso=x", undef ],
        [ 'binary bytes', "jwtsso=%00%01%FF%FE", undef ],
        [ 'quoted', qq{"jwtsso=j1.abc.def"}, undef ],
    );
    for my $g (@garbage) {
        my ($label, $value, $why) = @$g;
        my $mark = error_log_mark();
        my $r = with_cookie('/app/nostate/x', $value);
        isnt $r->code, 500, "garbage ($label): no 500";
        is $r->code, 302, "garbage ($label): not logged in (302)" or diag $r->as_string;
        $r = with_cookie('/app/pass/x', $value);
        is $r->code, 200, "garbage ($label): 200 at /app/pass";
        is app_vars($r)->{REMOTE_USER}, '', "garbage ($label): no REMOTE_USER";
        my $log = error_log_since($mark, qr/JWTSSO0030[12]/);
        if (defined $why && $why eq 'none') {
            like $log, qr/JWTSSO00301: no jwtsso session record/, "garbage ($label): log says no record";
        }
        elsif (defined $why) {
            like $log, qr/JWTSSO00302: session record refused: \Q$why\E: /, "garbage ($label): log says $why";
        }
        unlike $log, qr/JWTSSO004(?:05|07|15)|AH\d+: .*(?:segfault|exit signal)/i,
            "garbage ($label): no error in the log";
    }

    for my $big ([ '4000-byte record', cookie_with_record('j1.' . ('A' x 3953) . '.' . ('B' x 43)) ],
                 [ '4000-byte value', 'x' x 4000 ],
                 [ '4000-byte jwtsso entry', 'jwtsso=' . ('%41' x 1331) ]) {
        my ($label, $value) = @$big;
        cmp_ok length($value), '>=', 3990, "$label: length " . length($value);
        my $r = with_cookie('/app/nostate/x', $value);
        is $r->code, 302, "$label: not logged in (302), no 500" or diag $r->as_string;
        $r = with_cookie('/app/pass/x', $value);
        is $r->code, 200, "$label: 200 at /app/pass";
        is app_vars($r)->{REMOTE_USER}, '', "$label: no REMOTE_USER";
    }
}

# ------------------------------------------------------------------ session max age

{
    my ($brief) = login('brief', 'shorty');
    logged_in('/app/brief (JWTSSOSessionMaxAge 2)', '/app/brief/x', $brief, 'shorty');
    sleep 3;
    my $mark = error_log_mark();
    my $r = with_cookie('/app/brief/x', $brief);
    is $r->code, 302, '/app/brief after 3 s: not logged in (302)' or diag $r->as_string;
    like $r->header('Location') // '', $LOGIN_RE, '/app/brief after 3 s: to log in';
    my $log = error_log_since($mark, qr/JWTSSO0030[12]/);
    like $log, qr/\[auth_jwtsso:debug\][^\n]*JWTSSO00302: session record refused: record_expired: /,
        '/app/brief: log says expired, at debug' or diag "log since mark:\n$log";
}

# ------------------------------------------------------------------ a fresh login replaces the record

{
    my ($a1, $ua, $r1) = login('nostate', 'alice');
    my $r = $ua->get(url('/app/nostate/x'));
    is app_vars($r)->{REMOTE_USER}, 'alice', 'replace: alice first';
    # the jar still holds alice's cookie: a token for bob replaces it
    $r = $ua->get(url('/app/nostate/x?jwt=' . uri_escape(token_for('bob'))));
    is $r->code, 302, 'replace: token for bob with the alice session: 302';
    my $b1 = set_cookie_value($r);
    ok defined $b1 && $b1 ne $a1, 'replace: a new session cookie';
    my ($sid_a) = (split /\n/, b64url_decode((split /\./, record_of($a1))[1]))[3];
    my ($sid_b) = (split /\n/, b64url_decode((split /\./, record_of($b1 // $a1))[1]))[3];
    isnt $sid_b, $sid_a, 'replace: a fresh login id (sid)';
    $r = $ua->get(url('/app/nostate/x'));
    is $r->code, 200, 'replace: 200';
    is app_vars($r)->{REMOTE_USER}, 'bob', 'replace: REMOTE_USER bob';

    # Records are self-contained (MAC'd, with their own end) and the server
    # keeps no list of them: a copy of alice's earlier cookie value stays a
    # valid alice session until its JWTSSOSessionMaxAge end, even after the
    # browser's cookie was replaced. Revocation (logout) is a later issue.
    logged_in('replace: the old alice cookie value', '/app/nostate/x', $a1, 'alice');
}

# ------------------------------------------------------------------ claims too big

{
    my $mark = error_log_mark();
    my $ua = ua();
    my $t = node_token($MAIN, { sub => 'dave', blob => 'b' x 3000, dept => 'ops' });
    my $r = $ua->get(url('/app/nostate/x?jwt=' . uri_escape($t)));
    is $r->code, 302, 'big claims: login 302' or diag $r->as_string;
    my ($h) = grep { /^\Q$COOKIE\E=/ } $r->header('Set-Cookie');
    ok defined $h, 'big claims: session cookie set';
    cmp_ok length("Set-Cookie: " . ($h // '')), '<', 4096, 'big claims: Set-Cookie under 4096 bytes';
    my $log = error_log_since($mark, qr/JWTSSO00408/);
    like $log, qr/JWTSSO00406: claims not kept in the session \(over 2048 bytes; JWTSSO_CLAIMS_TRUNCATED=1\): blob\b/,
        'big claims: log JWTSSO00406 names blob' or diag "log since mark:\n$log";
    unlike $log, qr/JWTSSO00406: [^\n]*(?:sub|dept)/, 'big claims: sub and dept kept';

    my $req_cookie;
    $ua->add_handler(request_prepare => sub { $req_cookie = $_[0]->header('Cookie') });
    $r = $ua->get(url('/app/nostate/x'));
    is $r->code, 200, 'big claims: 200 with the session';
    cmp_ok length("Cookie: " . ($req_cookie // '')), '<', 4096, 'big claims: Cookie header under 4096 bytes';
    my $v = app_vars($r);
    is $v->{REMOTE_USER}, 'dave', 'big claims: REMOTE_USER dave';
    ok !exists $v->{JWTSSO_CLAIM_BLOB}, 'big claims: no JWTSSO_CLAIM_BLOB';
    is $v->{JWTSSO_CLAIM_DEPT}, 'ops', 'big claims: JWTSSO_CLAIM_DEPT kept';
    unlike $v->{JWTSSO_CLAIMS} // '', qr/blob/, 'big claims: JWTSSO_CLAIMS without blob';
    like $v->{JWTSSO_CLAIMS} // '', qr/"sub":"dave"/, 'big claims: JWTSSO_CLAIMS with sub';
}

done_testing();
