# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Issue 14, what the peers have: (t/conf/session.conf.in)
#   1. JWTSSOSessionInactivity: idle past the timeout -> a new login; used
#      within it -> stays; the last-seen entry is rewritten at most once per
#      tenth of the timeout; an edited or foreign entry -> no session; off
#      changes nothing. The timeout is 60 s (the least allowed): instead of
#      waiting, the test writes last-seen entries itself (it knows the
#      secret), "s1.T.b64url(HMAC(record key, 'jwtsso-seen-v1' NUL sid NUL
#      T))" as src/core/record.c does.
#   2. SetHandler jwtsso-info: the JSON, odd claims escaped, no-store, 401
#      JSON without a login (never a redirect), 405, bearer, a start-up
#      error outside AuthType jwtsso.
#   3. JWTSSOStripCookies: the session and state cookies never reach a CGI
#      or a proxied backend, the other cookies do, the session still writes.
#   4. JWTSSOUserHeader: the user in X-Remote-User; a client's own, in every
#      spelling, is removed; bad names refused at start-up.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use Digest::SHA qw(hmac_sha256);
use JSON::PP ();
use URI::Escape qw(uri_escape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my ($HP) = $BASE =~ m{^http://(.+)$};
my $START = error_log_mark();
# JWTSSOSessionKey of /si/ and /spcgi/ (the key derived from JWTSSOSecret
# also has this installation's own key in it, which a test does not know)
my $RECKEY = hmac_sha256('jwtsso session record v1', 'jwtsso-t48-session-key-0123456789abcdef');

# ---------------------------------------------------------------- helpers
sub session_entries {
    my $value = shift;
    return map { my ($k, $v) = split /=/, $_, 2; ($k => $v) } split /&/, $value;
}

sub sid_of {
    my $value = shift;
    my %e = session_entries($value);
    my ($body) = ($e{jwtsso} // '') =~ /^j1\.([^.]+)\./ or die "no record in '$value'\n";
    my @f = split /\n/, b64url_decode($body);
    return $f[3];
}

sub seen_entry {
    my ($sid, $t) = @_;
    return "s1.$t." . b64url(hmac_sha256("jwtsso-seen-v1\0$sid\0$t", $RECKEY));
}

# the session cookie value with a last-seen entry (replacing any)
sub with_seen {
    my ($value, $seen) = @_;
    my %e = session_entries($value);
    return "jwtsso=$e{jwtsso}&jwtsso_seen=$seen";
}

sub get_with {
    my ($path, $value, @h) = @_;
    return cookie_get("$BASE$path", $value, @h);
}

sub env_of { app_vars(shift) }

# ================================================================ 1. idle timeout
{
    my $v = login_cookie($BASE, '/si/app/x', { sub => 'alice' });
    my $sid = sid_of($v);
    like $sid, qr/^[A-Za-z0-9_-]{8,}$/, '1: the record has a sid';

    # used at once, again and again: no rewrite (a tenth is 6 s)
    my $writes = 0;
    for (1 .. 15) {
        my $res = get_with('/si/app/x', $v);
        is $res->code, 200, "1: request $_ within the timeout: 200" unless $res->code == 200;
        $writes += () = grep { /^jwtsso_session=/ } $res->header('Set-Cookie');
    }
    is $writes, 0, '1: 15 requests right after the login: no Set-Cookie';

    # last seen 3 s ago (a tenth is 6 s; room for a slow server
    # crossing a second or two): served, not rewritten
    my $res = get_with('/si/app/x', with_seen($v, seen_entry($sid, time - 3)));
    is $res->code, 200, '1: last seen 3 s ago: 200';
    is scalar(session_cookie_of($res)), 0, '1: ... and no Set-Cookie (under a tenth of 60 s)';

    # last seen 30 s ago: served, the entry rewritten once with now
    my $mark = error_log_mark();
    $res = get_with('/si/app/x', with_seen($v, seen_entry($sid, time - 30)));
    is $res->code, 200, '1: last seen 30 s ago: 200';
    is env_of($res)->{REMOTE_USER}, 'alice', '1: ... as alice';
    my $c = response_cookie($res, 'jwtsso_session');
    ok $c && $c->{value}, '1: ... and the session cookie rewritten' or diag $res->as_string;
    my %e = session_entries($c ? $c->{value} : '');
    my ($t) = ($e{jwtsso_seen} // '') =~ /^s1\.(\d+)\./;
    ok defined $t && abs($t - time) <= 2, '1: ... with last seen now';
    is $e{jwtsso_seen}, seen_entry($sid, $t // 0), '1: ... an entry bound to the sid';
    log_like($mark, qr/JWTSSO01203: session of 'alice' last seen 3\d s ago: last-seen time refreshed/,
             '1: log JWTSSO01203 (debug)');

    # with the rewritten cookie, many requests: none rewrites it again
    my $nv = $c ? $c->{value} : $v;
    $writes = 0;
    for (1 .. 10) {
        $res = get_with('/si/app/x', $nv);
        $writes += () = grep { /^jwtsso_session=/ } $res->header('Set-Cookie');
    }
    is $writes, 0, '1: 10 more requests after the rewrite: no Set-Cookie (at most one per tenth)';

    # idle past the timeout: a new login (the redirect), logged
    $mark = error_log_mark();
    $res = get_with('/si/app/x', with_seen($v, seen_entry($sid, time - 61)), Accept => 'text/html');
    is $res->code, 302, '1: last seen 61 s ago: 302';
    like $res->header('Location') // '', qr{^https://idp\.example\.test/login\?client=si&}, '1: ... to the login page';
    log_like($mark, qr/JWTSSO01200: session of 'alice' unused for 6[12] s, longer than JWTSSOSessionInactivity 60: a new login/,
             '1: log JWTSSO01200 says why');
    $res = get_with('/si/app/x', with_seen($v, seen_entry($sid, time - 55)));
    is $res->code, 200, '1: control: last seen 55 s ago: 200';

    # an edited time (a later one, under the same MAC): no session
    my $good = seen_entry($sid, time - 100);
    (my $edited = $good) =~ s/^s1\.(\d+)\./'s1.' . time() . '.'/e;
    $mark = error_log_mark();
    $res = get_with('/si/app/x', with_seen($v, $edited), Accept => 'text/html');
    is $res->code, 302, '1: an edited last-seen time: no session (302)';
    log_like($mark, qr/JWTSSO01201: session refused: its last-seen time \(jwtsso_seen\) is not one this login's key wrote: record_bad_mac/,
             '1: log JWTSSO01201 record_bad_mac');

    # another login's entry, and one made with another key
    my $v2 = login_cookie($BASE, '/si/app/x', { sub => 'bob' });
    my $other = seen_entry(sid_of($v2), time);
    $res = get_with('/si/app/x', with_seen($v, $other), Accept => 'text/html');
    is $res->code, 302, "1: another login's last-seen entry: no session";
    my $forged = "s1." . time() . "." . b64url(hmac_sha256("jwtsso-seen-v1\0$sid\0" . time(),
                                              hmac_sha256('jwtsso session record v1', secret('other'))));
    $res = get_with('/si/app/x', with_seen($v, $forged), Accept => 'text/html');
    is $res->code, 302, '1: an entry made with another key: no session';
    $res = get_with('/si/app/x', with_seen($v, 'garbage'), Accept => 'text/html');
    is $res->code, 302, '1: a malformed entry: no session';

    # off: nothing changes, whatever the entry says
    my $off = login_cookie($BASE, '/sioff/app/x', { sub => 'carol' });
    my $osid = sid_of($off);
    for my $case ([old => seen_entry($osid, time - 100000)], [garbage => 'garbage']) {
        $res = get_with('/sioff/app/x', with_seen($off, $case->[1]));
        is $res->code, 200, "1: JWTSSOSessionInactivity off, a last-seen entry ($case->[0]): 200";
        is scalar(session_cookie_of($res)), 0, "1: ... no Set-Cookie";
    }
}

# ================================================================ 2. jwtsso-info
{
    # sub: quote, backslash and e-acute (UTF-8 bytes: raw_token writes them as
    # they are)
    my %claims = (sub => "al\"ice\\\xc3\xa9", roles => ['admin', 'r"w'], n => 3, f => JSON::PP::true,
                  nested => { a => [1, { b => "x\ny" }] }, ctl => "a\x01b\tc");
    my $before = time;
    my $v = login_cookie($BASE, '/si/app/x', \%claims);
    my $res = get_with('/si/info', $v);
    is $res->code, 200, '2: jwtsso-info with a session: 200' or diag $res->as_string;
    is $res->header('Content-Type'), 'application/json', '2: Content-Type: application/json';
    like $res->header('Cache-Control') // '', qr/\bno-store\b/, '2: Cache-Control: no-store';
    my $j = eval { JSON::PP->new->utf8->decode($res->content) };
    ok $j, '2: the body is JSON' or diag $@, $res->content;
    $j ||= {};
    my $user = "al\"ice\\\x{e9}";
    is $j->{user}, $user, '2: user, with quote, backslash and e-acute, as in the token';
    is_deeply $j->{claims}{roles}, $claims{roles}, '2: claims.roles';
    is $j->{claims}{n}, 3, '2: claims.n a number';
    ok JSON::PP::is_bool($j->{claims}{f}) && $j->{claims}{f}, '2: claims.f true';
    is_deeply $j->{claims}{nested}, $claims{nested}, '2: claims.nested';
    is $j->{claims}{ctl}, $claims{ctl}, '2: control characters escaped and read back';
    is $j->{claims}{sub}, $user, '2: claims.sub';
    ok JSON::PP::is_bool($j->{claims_truncated}) && !$j->{claims_truncated}, '2: claims_truncated false';
    ok $j->{login_time} >= $before - 1 && $j->{login_time} <= time + 1, '2: login_time is the login (Unix seconds)';
    ok $j->{expires} > $j->{login_time} && $j->{expires} <= $j->{login_time} + 28800, '2: expires within JWTSSOSessionMaxAge';
    is $j->{idle_expires}, $j->{login_time} + 60, '2: idle_expires: login + 60 (no last-seen entry yet)';

    # with an entry 30 s old the request refreshes it: idle_expires from now
    $res = get_with('/si/info', with_seen($v, seen_entry(sid_of($v), time - 30)));
    $j = eval { JSON::PP->new->utf8->decode($res->content) } || {};
    ok abs(($j->{idle_expires} // 0) - (time + 60)) <= 2, '2: after a refresh, idle_expires = now + 60';

    # HEAD, and the methods it refuses
    $res = ua(cookie_jar => undef)->head("$BASE/si/info", Cookie => "jwtsso_session=$v");
    is $res->code, 200, '2: HEAD: 200';
    is $res->content, '', '2: HEAD: no body';
    my $mark = error_log_mark();
    $res = ua(cookie_jar => undef)->post("$BASE/si/info", Cookie => "jwtsso_session=$v");
    is $res->code, 405, '2: POST: 405';
    like $res->header('Allow') // '', qr/\bGET\b/, '2: ... Allow names GET';
    unlike $res->header('Allow') // '', qr/\bPOST\b/, '2: ... not POST';
    log_like($mark, qr/JWTSSO01211: jwtsso-info: method POST refused/, '2: log JWTSSO01211');

    # no login: 401 JSON, also for a browser (never a redirect)
    for my $accept ('application/json', 'text/html') {
        $mark = error_log_mark();
        $res = ua(cookie_jar => undef)->get("$BASE/si/info", Accept => $accept);
        is $res->code, 401, "2: no login (Accept $accept): 401";
        ok !defined $res->header('Location'), '2: ... no Location';
        is $res->header('Content-Type'), 'application/json', '2: ... JSON';
        like $res->header('Cache-Control') // '', qr/no-store/, '2: ... no-store';
        is_deeply eval { JSON::PP->new->decode($res->content) }, { error => 'login_required', message => 'not logged in' },
            '2: ... {"error":"login_required"}' or diag $res->content;
        log_like($mark, qr/JWTSSO01210: jwtsso-info: no login: 401/, '2: log JWTSSO01210');
    }
    # a session for another realm is no login here either
    $res = get_with('/sioff/info', $v);
    is $res->code, 401, "2: another section's session: 401";

    # off: idle_expires null
    my $off = login_cookie($BASE, '/sioff/app/x', { sub => 'carol' });
    $j = eval { JSON::PP->new->decode(get_with('/sioff/info', $off)->content) } || {};
    is $j->{user}, 'carol', '2: /sioff/info: carol';
    ok exists $j->{idle_expires} && !defined $j->{idle_expires}, '2: without JWTSSOSessionInactivity: idle_expires null';

    # truncated claims
    my $big = login_cookie($BASE, '/si/app/x', { sub => 'dave', a1 => 'x' x 1500, a2 => 'y' x 1500 });
    $j = eval { JSON::PP->new->decode(get_with('/si/info', $big)->content) } || {};
    ok $j->{claims_truncated}, '2: claims left out of the record: claims_truncated true';

    # the handler itself, in a pass section: 401 JSON without a login; bearer
    $res = ua(cookie_jar => undef)->get("$BASE/sipass/info");
    is $res->code, 401, '2: pass section, anonymous: 401 from the handler';
    like $res->content, qr/"login_required"/, '2: ... JSON error';
    my $bt = fresh_token({ sub => 'erin', role => 'api' });
    $res = ua(cookie_jar => undef)->get("$BASE/sipass/info", Authorization => "Bearer $bt");
    is $res->code, 200, '2: bearer token: 200' or diag $res->as_string;
    $j = eval { JSON::PP->new->decode($res->content) } || {};
    is $j->{user}, 'erin', '2: bearer: user erin';
    is $j->{claims}{role}, 'api', '2: bearer: its claims';
    ok exists $j->{idle_expires} && !defined $j->{idle_expires}, '2: bearer: idle_expires null';
    ok $j->{expires} && $j->{expires} <= time + 3600 + 1, "2: bearer: expires is the token's exp";

    # outside AuthType jwtsso where start-up cannot see it: refused, not 500
    $mark = error_log_mark();
    $res = ua(cookie_jar => undef)->get("$BASE/sinoauth");
    is $res->code, 403, '2: jwtsso-info in an <If> without AuthType jwtsso: 403';
    is_deeply eval { JSON::PP->new->decode($res->content) }, { error => 'not_configured' },
        '2: ... {"error":"not_configured"}' or diag $res->content;
    log_like($mark, qr/JWTSSO01212: SetHandler jwtsso-info at \/sinoauth is not under AuthType jwtsso/,
             '2: ... log JWTSSO01212 with the fix');

    # start-up: jwtsso-info outside AuthType jwtsso
    config_bad('2: jwtsso-info without AuthType jwtsso', <<'CONF', [qr/JWTSSO01213: <Location \/whoami> \(server [^)]*\) uses SetHandler jwtsso-info \([^)]+:\d+\) but not AuthType jwtsso/, qr/add 'AuthType jwtsso'/]);
<Location /whoami>
    SetHandler jwtsso-info
    Require all granted
</Location>
CONF
    config_ok('2: jwtsso-info under a protected location', <<'CONF');
<Location /app/>
    AuthType jwtsso
    AuthName app
    JWTSSOAuthEndpoint https://idp.example.test/login
    JWTSSOSecret "jwtsso-test-secret-0123456789abcdefghij"
    Session On
    SessionCookieName s path=/
    Require valid-user
</Location>
<Location /app/whoami>
    SetHandler jwtsso-info
</Location>
CONF
}

# ================================================================ 3. JWTSSOStripCookies
sub raw_get {
    my ($target, @lines) = @_;
    return raw_http($HP, "GET $target HTTP/1.0\r\nHost: $HP\r\n" . join('', map { "$_\r\n" } @lines) . "\r\n");
}

{
    my $v = login_cookie($BASE, '/spcgi/app/x', { sub => 'alice' });
    my $res = raw_get('/spcgi/app/x', "Cookie: a=1; jwtsso_session=$v; b=\"x y\";c=%41;  jwtsso_state=zzz; d");
    is $res && $res->code, 200, '3: CGI under JWTSSOStripCookies On: 200' or diag $res ? $res->as_string : 'no answer';
    my $e = env_of($res);
    is $e->{REMOTE_USER}, 'alice', '3: REMOTE_USER alice';
    is $e->{HTTP_COOKIE}, 'a=1; b="x y"; c=%41; d', '3: the app gets the other cookies as sent, without jwtsso_session and jwtsso_state';

    $res = raw_get('/spcgi/app/x', "Cookie: jwtsso_session=$v");
    $e = env_of($res);
    is $e->{REMOTE_USER}, 'alice', '3: only the session cookie: alice';
    ok !exists $e->{HTTP_COOKIE}, '3: ... and no Cookie header at all' or diag explain $e;

    # the session still writes (a last-seen refresh) while its cookie is gone
    $res = raw_get('/spcgi/app/x', 'Cookie: jwtsso_session=' . with_seen($v, seen_entry(sid_of($v), time - 30)) . '; k=v');
    $e = env_of($res);
    is $e->{REMOTE_USER}, 'alice', '3: a refresh with the cookie stripped: alice';
    is $e->{HTTP_COOKIE}, 'k=v', '3: ... the app sees k=v only';
    my $c = response_cookie($res, 'jwtsso_session');
    like $c ? $c->{value} : '', qr/jwtsso_seen=s1\.\d+\./, '3: ... and the session cookie is written with the new last-seen entry';

    # through mod_proxy: claims in headers, stripping on by default
    my $pv = login_cookie($BASE, '/sp/app/x', { sub => 'alice', role => 'r' });
    $res = raw_get('/sp/app/x', "Cookie: theme=dark; jwtsso_session=$pv; jwtsso_state=s1");
    is $res && $res->code, 200, '3: proxied: 200' or diag $res ? $res->as_string : 'no answer';
    $e = env_of($res);
    is $e->{HTTP_COOKIE}, 'theme=dark', '3: proxied (JWTSSOPassClaims headers): the backend gets theme=dark only';
    is $e->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'r', '3: ... and the claim headers';

    # controls: Off, and the default without headers
    my $ov = login_cookie($BASE, '/spoff/app/x', { sub => 'alice' });
    $e = env_of(raw_get('/spoff/app/x', "Cookie: theme=dark; jwtsso_session=$ov"));
    is $e->{HTTP_COOKIE}, "theme=dark; jwtsso_session=$ov", '3: control: JWTSSOStripCookies Off keeps the cookie';
    my $ev = login_cookie($BASE, '/spenv/app/x', { sub => 'alice' });
    $e = env_of(raw_get('/spenv/app/x', "Cookie: jwtsso_session=$ev"));
    is $e->{REMOTE_USER}, 'alice', '3: control: JWTSSOPassClaims env (default): alice';
    is $e->{HTTP_COOKIE}, "jwtsso_session=$ev", '3: control: ... the default there keeps the cookie (Off without headers)';
}

# ================================================================ 4. JWTSSOUserHeader
{
    my @spoof = ('X-Remote-User: evil', 'x-remote-user: evil', 'X_Remote_User: evil', 'X_REMOTE_USER: evil',
                 'x-REMOTE_user: evil');
    my $v = login_cookie($BASE, '/sp/app/x', { sub => 'alice' });
    for my $h (@spoof) {
        my $mark = error_log_mark();
        my $res = raw_get('/sp/app/x', "Cookie: jwtsso_session=$v", $h);
        my $e = env_of($res);
        is $e->{HTTP_X_REMOTE_USER}, 'alice', "4: proxied, '$h' sent: the backend gets X-Remote-User: alice";
        ok !exists $e->{SP_SPOOFED}, "4: ... and no header of that name with 'evil' in any spelling" or diag explain $e;
        log_like($mark, qr/JWTSSO01230: removed 1 client-sent X-Remote-User header\(s\)/, '4: ... log JWTSSO01230');
    }
    # all at once
    my $res = raw_get('/sp/app/x', "Cookie: jwtsso_session=$v", @spoof);
    my $e = env_of($res);
    is $e->{HTTP_X_REMOTE_USER}, 'alice', '4: every spelling at once: alice';
    ok !exists $e->{SP_SPOOFED}, '4: ... none reached the backend';

    # a Connection header naming it would have mod_proxy drop ours
    for my $conn ('X-Remote-User', 'close, x_remote_user') {
        my $mark = error_log_mark();
        $e = env_of(raw_get('/sp/app/x', "Cookie: jwtsso_session=$v", "Connection: $conn"));
        is $e->{HTTP_X_REMOTE_USER}, 'alice', "4: Connection: $conn: the backend still gets X-Remote-User: alice";
        log_like($mark, qr/JWTSSO01232: Connection header named X-Remote-User/, "4: Connection: $conn: log JWTSSO01232");
    }

    # control: the backend itself sees a spoofed header (so the checks can fail)
    $e = env_of(raw_get('/specho/x', 'X_Remote_User: evil'));
    is $e->{SP_SPOOFED}, '1', '4: control: /specho catches X_Remote_User: evil';

    # a CGI, and an anonymous request of a pass section
    my $cv = login_cookie($BASE, '/spcgi/app/x', { sub => 'bob' });
    $e = env_of(raw_get('/spcgi/app/x', "Cookie: jwtsso_session=$cv", 'X-Remote-User: evil'));
    is $e->{HTTP_X_REMOTE_USER}, 'bob', '4: CGI: HTTP_X_REMOTE_USER=bob';
    $e = env_of(raw_get('/sppass/app/x', 'X-Remote-User: evil', 'x_remote_user: evil'));
    is $e->{REMOTE_USER}, '', '4: pass, anonymous: no user';
    ok !exists $e->{HTTP_X_REMOTE_USER}, '4: ... and no X-Remote-User' or diag explain $e;

    # start-up: names that are not a header a backend can trust
    for my $bad ('Host', 'cookie', 'Authorization', 'Content_Length', 'Transfer-Encoding', 'Connection',
                 'X-Forwarded-For', 'X:User', 'X/User') {
        config_bad("4: JWTSSOUserHeader $bad", <<"CONF", [qr/JWTSSOUserHeader: '\Q$bad\E' (is a header|is not a header name)/]);
<Location /app/>
    JWTSSOUserHeader $bad
</Location>
CONF
    }
    config_ok('4: JWTSSOUserHeader X-Remote-User', "<Location /app/>\n    JWTSSOUserHeader X-Remote-User\n</Location>\n");
    config_bad('4: JWTSSOSessionInactivity 10', "<Location /app/>\n    JWTSSOSessionInactivity 10\n</Location>\n",
               [qr/JWTSSOSessionInactivity: '10' is not a whole number of seconds from 60 to 31536000, or off/]);
    config_ok('4: JWTSSOSessionInactivity OFF', "<Location /app/>\n    JWTSSOSessionInactivity OFF\n</Location>\n");
}

{
    my $log = error_log_since($START);
    is scalar(crash_lines($log)), 0, 'no child crashed' or diag join "\n", crash_lines($log);
    unlike $log, qr/jwtsso_seen=s1|j1\.[A-Za-z0-9_-]{40}/, 'no session record or last-seen entry in the error_log';
}

done_testing();
