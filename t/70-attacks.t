# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Attacks on mod_auth_jwtsso through a real httpd:
#   1. bearer tokens (JWTSSOAcceptBearer): valid, missing, truncated, forged,
#      expired, unbounded, oversized
#   2. logout (SetHandler jwtsso-logout) and its return_to
#   3. an open-redirect corpus against /logout?return_to= (t/data/open-redirect.txt)
#   4. claims as request headers (JWTSSOPassClaims): CR/LF in values, odd
#      names, spoofed X-JWTSSO-* headers in every spelling, a proxied backend
#   5. a session cookie carried to another virtual host (another origin)
#   6. oversized requests and junk session cookies
#   7. the attributes of the state cookie
# Each refusal is checked for its status, the absence of a session and of
# REMOTE_USER, and its log tag; no answer may be a 500, and the server must
# still answer (and no child crash) at the end.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();                      # http://127.0.0.1:PORT
my ($HOST, $PORT) = $BASE =~ m{^http://([^:/]+):(\d+)$} or die "base_url: $BASE\n";
my $HP = "$HOST:$PORT";
my $OWN = "http://$HOST:$PORT";             # url_origin() of this server
my $VH2 = vhost_base_url('jwtsso_vh2');     # <VirtualHost jwtsso_vh2>
my ($VH2_HP) = $VH2 =~ m{^http://(.+)$};
my $IDP_RE = qr{^https://idp\.example\.test/login\?client=t&return_to=};
my $COOKIE = 'jwtsso_session';
my $START = error_log_mark();
my @TOKENS;                                 # every token sent, for the log check at the end

# ---------------------------------------------------------------- helpers

sub tok { push @TOKENS, $_[0]; return $_[0] }

# A request with exactly these header lines, on the wire as written.
sub raw_get {
    my ($hp, $target, @lines) = @_;
    return raw_http($hp, "GET $target HTTP/1.0\r\nHost: $hp\r\n"
                         . join('', map { "$_\r\n" } @lines) . "\r\n");
}

sub code_of { my $r = shift; return $r ? $r->code : 'no answer' }

sub session_written {
    my $c = response_cookie(shift, $COOKIE);
    return $c && length $c->{value} ? 1 : 0;
}


# Log in at $base$path with a fresh token: (ua with the cookie, cookie value).
sub login_at {
    my ($base, $path, $user, %claims) = @_;
    my $ua = ua();
    my $res = $ua->get("$base$path?jwt=" . uri_escape(tok(fresh_token({ sub => $user, %claims }))));
    my $c = response_cookie($res, $COOKIE);
    is $res->code, 302, "login as $user at $base$path: 302" or diag $res->as_string;
    ok $c && length $c->{value}, "login as $user at $base$path: session cookie";
    return ($ua, $c ? $c->{value} : '');
}

# Not logged in with this session cookie value at $base: 302 to the IdP at
# /app/nostate. $why: the record_* reason the log must name, or undef.
sub no_session_at {
    my ($label, $base, $value, $why) = @_;
    my $mark = error_log_mark();
    my $res = ua(cookie_jar => undef)->get("$base/app/nostate/x", Cookie => "$COOKIE=$value");
    is $res->code, 302, "$label: 302 at $base/app/nostate" or diag $res->as_string;
    like $res->header('Location') // '', $IDP_RE, "$label: to log in";
    unlike $res->content, qr/^REMOTE_USER=/m, "$label: the app did not run";
    ok !session_written($res), "$label: no session written";
    log_like($mark, qr/JWTSSO00302: session record refused: \Q$why\E: /, "$label: log JWTSSO00302 $why")
        if defined $why;
}

# ================================================================ 1. bearer tokens
my $BEARER = "$BASE/app/bearer/x";
my $TOKEN_REFUSED = qr/JWTSSO002\d\d: bearer token refused: /;

# A refused bearer: 401, WWW-Authenticate Bearer realm (with $o{error}),
# no session, the app not run, the log line $o{log}.
sub bearer_refused {
    my ($label, $res, $mark, %o) = @_;
    is code_of($res), 401, "$label: 401" or diag $res ? $res->as_string : 'no answer';
    return unless $res;
    my $www = qq{Bearer realm="jwtsso-test"} . ($o{error} ? qq{, error="$o{error}"} : '');
    is $res->header('WWW-Authenticate'), $www, "$label: WWW-Authenticate: $www";
    ok !session_written($res) && !response_cookie($res, 'jwtsso_state'), "$label: no cookie set";
    unlike $res->content, qr/^REMOTE_USER=/m, "$label: the app did not run";
    log_like($mark, $o{log}, "$label: log $o{log}") if $o{log};
}

{
    my $t = tok(fresh_token({ sub => 'bob', role => 'reader', groups => ['x', 'y'] }));
    my $ua = ua();
    my $mark = error_log_mark();
    my $res = req($ua, GET => $BEARER, Authorization => "Bearer $t");
    is $res->code, 200, '1: valid bearer: 200' or diag $res->as_string;
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'bob', '1: valid bearer: REMOTE_USER bob';
    is $v->{AUTH_TYPE}, 'jwtsso', '1: valid bearer: AUTH_TYPE jwtsso';
    is $v->{JWTSSO_CLAIM_ROLE}, 'reader', '1: valid bearer: JWTSSO_CLAIM_ROLE reader';
    is $v->{JWTSSO_CLAIM_GROUPS}, 'x,y', '1: valid bearer: JWTSSO_CLAIM_GROUPS x,y';
    is scalar(() = $res->header('Set-Cookie')), 0, '1: valid bearer: no Set-Cookie at all (no session)';
    unlike scalar(error_log_since($mark)), qr/JWTSSO00408/, '1: valid bearer: no login logged (no session made)';

    $res = req($ua, GET => $BEARER);
    is $res->code, 401, '1: the same client without the header: 401 (nothing was kept)';

    $res = req(ua(), GET => $BEARER, Authorization => "Bearer $t");
    is $res->code, 200, '1: the same bearer again: 200 (verified per request)';
    for my $scheme ('bearer', 'BEARER', 'Bearer ') {
        $res = req(ua(), GET => $BEARER, Authorization => "$scheme $t");
        is $res->code, 200, "1: scheme spelt '$scheme ': 200 (RFC 7235: case-insensitive, 1*SP)";
    }

    # the other virtual host has /app/bearer too (the main server's sections apply)
    $res = req(ua(), GET => "$VH2/app/bearer/x", Authorization => "Bearer $t");
    is $res->code, 200, '1: valid bearer at the second virtual host: 200';
    is app_vars($res)->{REMOTE_USER}, 'bob', '1: ... REMOTE_USER bob';

    # where JWTSSOAcceptBearer is off, a bearer is no login
    $res = req(ua(), GET => "$BASE/app/nostate/x", Authorization => "Bearer $t");
    is $res->code, 302, '1: bearer at /app/nostate (AcceptBearer off): 302 to log in';
    like $res->header('Location') // '', $IDP_RE, '1: ... to the IdP';
    ok !session_written($res), '1: ... no session';

    # no bearer at all: 401 with the challenge, no error attribute (RFC 6750 §3.1)
    for my $case (['no Authorization'],
                  ['Authorization: Basic', 'Authorization: Basic Ym9iOnNlY3JldA=='],
                  ['Authorization: Digest', 'Authorization: Digest username="bob"'],
                  ['Authorization: Bearerx TOKEN', "Authorization: Bearerx $t"],
                  ['Authorization: empty', 'Authorization:'],
                  ['Authorization: Bearer<TAB>TOKEN', "Authorization: Bearer\t$t"],
                  ['Authorization: Token TOKEN', "Authorization: Token $t"]) {
        my ($label, @lines) = @$case;
        my $m = error_log_mark();
        bearer_refused("1: $label", raw_get($HP, '/app/bearer/x', @lines), $m,
                       log => qr/JWTSSO00409: no session: 401/);
    }

    # two Authorization headers: httpd joins them ("A, B"); never the good one alone
    for my $pair (["Bearer $t", 'Bearer junk'], ['Bearer junk', "Bearer $t"], ["Bearer $t", "Bearer $t"]) {
        my $m = error_log_mark();
        my $r = raw_get($HP, '/app/bearer/x', map { "Authorization: $_" } @$pair);
        my $label = join(' + ', map { $_ eq "Bearer $t" ? 'Bearer GOOD' : $_ } @$pair);
        bearer_refused("1: two headers $label", $r, $m, error => 'invalid_token', log => $TOKEN_REFUSED);
    }

    # a Bearer header without a token: invalid_request (RFC 6750 §3.1)
    for my $line ('Authorization: Bearer', 'Authorization: Bearer ', 'Authorization: Bearer     ',
                  'Authorization: bearer', 'Authorization:   Bearer') {
        my $m = error_log_mark();
        (my $label = $line) =~ s/( +)$/'<' . length($1) . ' spaces>'/e;
        bearer_refused("1: '$label'", raw_get($HP, '/app/bearer/x', $line), $m,
                       error => 'invalid_request', log => qr/JWTSSO00419: bearer token refused: malformed/);
    }

    # malformed and truncated tokens: invalid_token, a JWTSSO002nn line
    my @p = split /\./, $t;
    my %bad = (
        'a'                  => 'a',
        'a.b'                => 'a.b',
        'a.b.c'              => 'a.b.c',
        '..'                 => '..',
        'a..'                => 'a..',
        '.a.'                => '.a.',
        'header only'        => $p[0],
        'header.'            => "$p[0].",
        'header.payload'     => "$p[0].$p[1]",
        'header.payload.'    => "$p[0].$p[1].",
        'minus last char'    => substr($t, 0, -1),
        'plus a char'        => "${t}A",
        'plus a dot'         => "$t.",
        'four parts'         => "$t.$p[2]",
        'trailing word'      => "$t extra",
        'padded signature'   => "$t=",
        'standard base64'    => join('.', @p[0, 1], '+/' . substr($p[2], 2)),
        'sig of another'     => join('.', @p[0, 1], (split /\./, fresh_token({ sub => 'eve' }))[2]),
    );
    for my $label (sort keys %bad) {
        my $m = error_log_mark();
        my $res2 = req(ua(), GET => $BEARER, Authorization => "Bearer $bad{$label}");
        bearer_refused("1: bearer $label", $res2, $m, error => 'invalid_token', log => $TOKEN_REFUSED);
    }

    # cut at every 3rd position and around every dot: all 401 invalid_token
    my %cuts = map { $_ => 1 } grep { $_ > 0 && $_ < length $t }
        ((map { $_ * 3 } 1 .. int(length($t) / 3)),
         map { my $i = $_; ($i - 1, $i, $i + 1, $i + 2) } grep { substr($t, $_, 1) eq '.' } 0 .. length($t) - 1);
    my (@wrong, @fivexx);
    for my $n (sort { $a <=> $b } keys %cuts) {
        my $m = error_log_mark();
        my $r = req(ua(), GET => $BEARER, Authorization => 'Bearer ' . substr($t, 0, $n));
        my $log = error_log_since($m, $TOKEN_REFUSED);
        push @fivexx, $n if $r->code >= 500;
        push @wrong, "$n: " . $r->code . ' ' . ($r->header('WWW-Authenticate') // '-')
            unless $r->code == 401
                && ($r->header('WWW-Authenticate') // '') eq 'Bearer realm="jwtsso-test", error="invalid_token"'
                && $log =~ $TOKEN_REFUSED && !session_written($r);
    }
    is_deeply \@fivexx, [], '1: truncated bearers (' . scalar(keys %cuts) . ' cuts): never 5xx';
    is_deeply \@wrong, [], '1: truncated bearers: each 401 invalid_token, no session, a JWTSSO002nn line';

    # well-formed but refused, each with its reason's tag
    my $now = time;
    my @why = (
        ['alg none',          fresh_token({ sub => 'bob' }, alg => 'none'),                 'alg_none'],
        ['alg none, signed',  fresh_token({ sub => 'bob' }, header => { alg => 'none' }),   'alg_none'],
        ['expired',           fresh_token({ sub => 'bob', iat => $now - 7200, exp => $now - 3600 }), 'expired'],
        ['no exp (iat only)', fresh_token({ sub => 'bob', exp => undef }),                  'no_lifetime'],
        ['no exp, no iat',    fresh_token({ sub => 'bob', exp => undef, iat => undef }),    'no_iat'],
        ['bad signature',     fresh_token({ sub => 'bob' }, secret => secret('other')),     'bad_signature'],
        ['no sub',            fresh_token({ role => 'admin' }),                             'no_user'],
        ['exp as a string',   fresh_token({ sub => 'bob', exp => '' . ($now + 3600) }),     'claim_type'],
        ['nbf in the future', fresh_token({ sub => 'bob', nbf => $now + 3600 }),            'not_yet_valid'],
    );
    for my $w (@why) {
        my ($label, $bt, $reason) = @$w;
        tok($bt);
        my $tag = reason_tag($reason);
        my $m = error_log_mark();
        my $r = req(ua(), GET => $BEARER, Authorization => "Bearer $bt");
        bearer_refused("1: bearer $label", $r, $m, error => 'invalid_token',
                       log => qr/JWTSSO$tag: bearer token refused: \Q$reason\E: /);
        ok index($r->content, $bt) < 0, "1: bearer $label: the token is not echoed";
    }

    # 16 KiB: over httpd's LimitRequestFieldSize (8190) on the main server:
    # httpd's own 400; at the second host (LimitRequestFieldSize 65536) it
    # reaches the module: too_large, before any decoding
    my $big = tok(fresh_token({ sub => 'bob', pad => 'x' x 12400 }));
    cmp_ok length($big), '>=', 16384, '1: the big bearer is 16 KiB or more (' . length($big) . ' bytes)';
    my $r = raw_get($HP, '/app/bearer/x', "Authorization: Bearer $big");
    is code_of($r), 400, "1: 16 KiB bearer on the main server: httpd's 400 (header over LimitRequestFieldSize)";
    my $m = error_log_mark();
    $r = raw_get($VH2_HP, '/app/bearer/x', "Authorization: Bearer $big");
    bearer_refused('1: 16 KiB bearer at the second host', $r, $m, error => 'invalid_token',
                   log => qr/JWTSSO00201: bearer token refused: too_large: /);
    $m = error_log_mark();
    $r = raw_get($VH2_HP, '/app/bearer/x', 'Authorization: Bearer ' . ('A' x 8193));
    bearer_refused('1: 8193 junk bytes at the second host', $r, $m, error => 'invalid_token',
                   log => qr/JWTSSO00201: bearer token refused: too_large: /);
}

# ================================================================ 2. logout
{
    my ($ua, $value) = login_at($BASE, '/app/nostate/x', 'alice', role => 'staff');
    my $res = $ua->get("$BASE/app/nostate/x");
    is app_vars($res)->{REMOTE_USER}, 'alice', '2: logged in before /logout';

    my $mark = error_log_mark();
    $res = $ua->get("$BASE/logout");
    is $res->code, 200, '2: GET /logout: 200 (no return_to, no JWTSSOLogoutRedirect)' or diag $res->as_string;
    like $res->content, qr/Logged out/, '2: the logged-out page';
    like $res->header('Content-Type') // '', qr{^text/html}, '2: text/html';
    like $res->header('Cache-Control') // '', qr/no-store/, '2: Cache-Control: no-store';
    my $c = response_cookie($res, $COOKIE);
    ok cookie_cleared($c), '2: the session cookie is cleared (empty, expired)' or diag $res->headers->as_string;
    like $c ? $c->{raw} : '', qr{path=/(?:;|$)}i, '2: ... at path=/';
    log_like($mark, qr/JWTSSO00602: logout\s*$/m, '2: log JWTSSO00602 logout');

    $res = $ua->get("$BASE/app/nostate/x");
    is $res->code, 302, '2: after logout /app/nostate: 302 (not logged in)';
    like $res->header('Location') // '', $IDP_RE, '2: ... to the IdP';

    # return_to: a path, the own absolute URL
    ($ua) = login_at($BASE, '/app/nostate/x', 'alice');
    $mark = error_log_mark();
    $res = $ua->get("$BASE/logout?return_to=" . uri_escape('/app/x'));
    is $res->code, 302, '2: /logout?return_to=/app/x: 302';
    is $res->header('Location'), "$BASE/app/x", "2: ... Location $BASE/app/x";
    ok cookie_cleared(response_cookie($res, $COOKIE)), '2: ... session cookie cleared';
    log_like($mark, qr/JWTSSO00602: logout: to \Q$BASE\E\/app\/x/, '2: ... log JWTSSO00602 names the target');
    is $ua->get("$BASE/app/nostate/x")->code, 302, '2: ... then not logged in';

    $res = ua()->get("$BASE/logout?return_to=" . uri_escape("$BASE/ok?a=1"));
    is $res->code, 302, "2: /logout?return_to=$BASE/ok?a=1: 302";
    is $res->header('Location'), "$BASE/ok?a=1", '2: ... to it';

    # JWTSSOLogoutRedirect
    ($ua) = login_at($BASE, '/app/nostate/x', 'alice');
    $mark = error_log_mark();
    $res = $ua->get("$BASE/logout-to");
    is $res->code, 302, '2: /logout-to: 302';
    is $res->header('Location'), 'https://idp.example.test/logged-out', '2: ... to JWTSSOLogoutRedirect';
    ok cookie_cleared(response_cookie($res, $COOKIE)), '2: ... session cookie cleared';
    log_like($mark, qr{JWTSSO00602: logout: to https://idp\.example\.test/logged-out}, '2: ... log JWTSSO00602');
    is $ua->get("$BASE/app/nostate/x")->code, 302, '2: ... then not logged in';
    $res = ua()->get("$BASE/logout-to?return_to=" . uri_escape('/app/y'));
    is $res->header('Location'), "$BASE/app/y", '2: /logout-to?return_to=/app/y: the same-origin return_to wins';
    $res = ua()->get("$BASE/logout-to?return_to=" . uri_escape('https://evil.example/'));
    is $res->code, 400, '2: /logout-to?return_to=https://evil.example/: 400, not the configured redirect';
    ok !defined $res->header('Location'), '2: ... no Location';

    # an off-origin return_to: 400, but the user is logged out all the same
    ($ua) = login_at($BASE, '/app/nostate/x', 'alice');
    $mark = error_log_mark();
    $res = $ua->get("$BASE/logout?return_to=" . uri_escape('https://evil.example/'));
    is $res->code, 400, '2: /logout?return_to=https://evil.example/: 400';
    ok !defined $res->header('Location'), '2: ... no Location';
    unlike $res->content, qr/evil\.example/, '2: ... the 400 page does not echo the URL';
    ok cookie_cleared(response_cookie($res, $COOKIE)), '2: ... the session cookie is cleared anyway'
        or diag $res->headers->as_string;
    log_like($mark, qr/JWTSSO00601: logout: return_to refused: not a URL of this site \(\Q$OWN\E\)/,
             '2: ... log JWTSSO00601 with the own origin');
    $res = $ua->get("$BASE/app/nostate/x");
    is $res->code, 302, '2: ... then not logged in' or diag $res->as_string;

    # the parameter twice: the last one counts, and is checked
    $res = ua()->get("$BASE/logout?return_to=%2Fok&return_to=" . uri_escape('//evil.example/'));
    is $res->code, 400, '2: return_to=/ok&return_to=//evil.example/: 400 (the last one is the one used)';
    $res = ua()->get("$BASE/logout?return_to=" . uri_escape('//evil.example/') . '&return_to=%2Fok');
    is $res->code, 302, '2: return_to=//evil.example/&return_to=/ok: 302';
    is $res->header('Location'), "$BASE/ok", '2: ... to /ok on this site';
    # an empty one is no return_to
    $res = ua()->get("$BASE/logout?return_to=");
    is $res->code, 200, '2: return_to= (empty): the page';

    # methods
    $res = req(ua(), POST => "$BASE/logout");
    is $res->code, 200, '2: POST /logout: 200';
    $res = req(ua(), PUT => "$BASE/logout");
    is $res->code, 405, '2: PUT /logout: 405';
    like $res->header('Allow') // '', qr/GET/, '2: ... Allow names GET';
}

# ================================================================ 3. open-redirect corpus
{
    my $file = "$FindBin::Bin/data/open-redirect.txt";
    open my $fh, '<:raw', $file or die "$file: $!";
    my @cases;
    while (my $line = <$fh>) {
        $line =~ s/\r?\n\z//;
        next if $line eq '' || $line =~ /^#(?: |$)/;
        my %c = (expect => 'refused', src => $line);
        while ($line =~ s/^(ok|any|raw) //) {
            if ($1 eq 'raw') { $c{raw} = 1 } else { $c{expect} = $1 eq 'ok' ? 'accepted' : 'any' }
        }
        $line =~ s/\{ORIGIN\}/$OWN/g;
        $line =~ s/\{HOST\}/$HOST/g;
        $line =~ s/\{PORTWRAP\}/$PORT + 65536/ge;
        $line =~ s/\{PORT\}/$PORT/g;
        $c{query} = $c{raw} ? $line : uri_escape($line, '^A-Za-z0-9._~-');
        push @cases, \%c;
    }
    close $fh;
    my %n;
    $n{$_->{expect}}++ for @cases;
    cmp_ok $n{refused} // 0, '>=', 300, "3: corpus: at least 300 off-origin payloads ($n{refused})";
    cmp_ok $n{accepted} // 0, '>=', 5, "3: corpus: same-origin payloads ($n{accepted})";

    my $mark = error_log_mark();
    my (%got, @open, @errors, @should_refuse, @should_accept);
    for my $c (@cases) {
        my $r = raw_get($HP, "/logout?return_to=$c->{query}");
        my $loc = $r ? $r->header('Location') : undef;
        my $what;
        if (!$r || $r->code >= 500) {
            $what = 'error';
            push @errors, "$c->{src} => " . code_of($r);
        }
        elsif (defined $loc) {
            my $o = url_origin($loc);
            if (defined $o && $o eq $OWN && $r->code == 302) {
                $what = 'accepted';
            }
            else {
                $what = 'open';
                push @open, "$c->{src} => " . $r->code . " $loc";
            }
        }
        elsif ($r->code == 400) {
            $what = 'refused';
        }
        else {
            $what = 'error';
            push @errors, "$c->{src} => " . $r->code . ' without Location';
        }
        $got{$what}++;
        $got{"$c->{expect}/$what"}++;
        push @should_refuse, "$c->{src} => " . ($loc // '') if $c->{expect} eq 'refused' && $what eq 'accepted';
        push @should_accept, "$c->{src} => " . code_of($r) if $c->{expect} eq 'accepted' && $what ne 'accepted';
    }
    is_deeply \@open, [], '3: corpus: no answer redirects to another origin';
    is_deeply \@errors, [], '3: corpus: no 5xx, no other status, always an answer';
    is_deeply \@should_refuse, [], '3: corpus: every off-origin payload is refused';
    is_deeply \@should_accept, [], '3: corpus: every same-origin payload is accepted';
    cmp_ok $got{'refused/refused'} // 0, '>=', 300, '3: corpus: at least 300 off-origin payloads refused';
    my $log = error_log_since($mark);
    my $logged = () = $log =~ /JWTSSO00601: logout: return_to refused/g;
    is $logged, $got{refused} // 0, '3: corpus: one JWTSSO00601 line per refusal';
    unlike $log, qr/^(?:Location|Set-Cookie|X):/mi, '3: corpus: no CR/LF made it into the error_log as a line of its own';
    diag sprintf '3: open-redirect corpus: %d payloads (%d off-origin, %d harmless look-alikes, %d same-origin): '
        . '%d refused (400), %d accepted (all to %s), %d redirected elsewhere, %d errors; '
        . 'off-origin refused %d/%d, look-alikes refused %d/%d',
        scalar @cases, $n{refused} // 0, $n{any} // 0, $n{accepted} // 0,
        $got{refused} // 0, $got{accepted} // 0, $OWN, $got{open} // 0, $got{error} // 0,
        $got{'refused/refused'} // 0, $n{refused} // 0, $got{'any/refused'} // 0, $n{any} // 0;
}

# ================================================================ 4. claims as request headers
{
    my %claims = (role => 'admin', groups => ['a', 'b'], note => "x\r\nInjected: yes",
                  'a b/c' => 'odd', "evil\r\nInjected" => 'name');
    my ($ua, $value) = login_at($BASE, '/app/headers/x', 'carol', %claims);

    my $res = $ua->get("$BASE/app/headers/x");
    is $res->code, 200, '4: /app/headers: 200' or diag $res->as_string;
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'carol', '4: /app/headers: REMOTE_USER carol';
    is $v->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'admin', '4: /app/headers: HTTP_X_JWTSSO_CLAIM_ROLE=admin';
    is $v->{HTTP_X_JWTSSO_CLAIM_GROUPS}, 'a,b', '4: /app/headers: HTTP_X_JWTSSO_CLAIM_GROUPS=a,b';
    is $v->{HTTP_X_JWTSSO_CLAIM_SUB}, 'carol', '4: /app/headers: HTTP_X_JWTSSO_CLAIM_SUB=carol';
    is $v->{HTTP_X_JWTSSO_CLAIM_NOTE}, 'x  Injected: yes', '4: /app/headers: CR/LF in a value arrive as spaces';
    is $v->{HTTP_X_JWTSSO_CLAIM_A_B_C}, 'odd', "4: /app/headers: claim 'a b/c' as X-JWTSSO-Claim-a-b-c";
    is $v->{HTTP_X_JWTSSO_CLAIM_EVIL__INJECTED}, 'name', '4: /app/headers: CR/LF in a claim name become -';
    is_deeply [grep { /^JWTSSO_/ } sort keys %$v], [], '4: /app/headers: no JWTSSO_* env (headers only)';

    $res = $ua->get("$BASE/app/both/x");
    $v = app_vars($res);
    is $v->{REMOTE_USER}, 'carol', '4: /app/both: REMOTE_USER carol';
    is $v->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'admin', '4: /app/both: the header';
    is $v->{JWTSSO_CLAIM_ROLE}, 'admin', '4: /app/both: the env';
    is $v->{JWTSSO_CLAIM_GROUPS}, 'a,b', '4: /app/both: JWTSSO_CLAIM_GROUPS=a,b';
    is $v->{HTTP_X_JWTSSO_CLAIM_NOTE}, 'x  Injected: yes', '4: /app/both: the header value without CR/LF';
    like $v->{JWTSSO_CLAIMS} // '', qr/"role":"admin"/, '4: /app/both: JWTSSO_CLAIMS';

    $res = $ua->get("$BASE/app/noclaims/x");
    $v = app_vars($res);
    is $res->code, 200, '4: /app/noclaims: 200';
    is $v->{REMOTE_USER}, 'carol', '4: /app/noclaims: REMOTE_USER carol';
    is_deeply [grep { /^JWTSSO_/ || /^HTTP_.*JWTSSO/i } sort keys %$v], [],
        '4: /app/noclaims: neither JWTSSO_* env nor X-JWTSSO-* headers';

    # to a proxied backend (/echo, which prints what reached it over HTTP)
    $res = $ua->get("$BASE/app/proxied/x");
    is $res->code, 200, '4: /app/proxied: 200 from the backend' or diag $res->as_string;
    $v = app_vars($res);
    is $v->{PATH_INFO}, '/x', '4: /app/proxied: the backend ran (/echo/x)';
    is $v->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'admin', '4: /app/proxied: the backend got X-JWTSSO-Claim-Role: admin';
    is $v->{HTTP_X_JWTSSO_CLAIM_NOTE}, 'x  Injected: yes', '4: /app/proxied: ... the CR/LF value as spaces';
    is $v->{HTTP_X_JWTSSO_CLAIM_EVIL__INJECTED}, 'name', '4: /app/proxied: ... the CR/LF name with dashes';
    ok !exists $v->{JWTSSO_ECHO_INJECTED}, '4: /app/proxied: the backend got no Injected header'
        or diag "JWTSSO_ECHO_INJECTED=$v->{JWTSSO_ECHO_INJECTED}";

    # control: the detector at /echo works
    $res = raw_get($HP, '/echo/x', 'Injected: yes', 'X_JWTSSO_CLAIM_ROLE: spoofed');
    $v = app_vars($res);
    is $v->{JWTSSO_ECHO_INJECTED}, 'yes', '4: control: /echo sees an Injected header';
    is $v->{JWTSSO_ECHO_SPOOFED}, '1', '4: control: /echo sees X_JWTSSO_CLAIM_ROLE (underscores)';

    # spoofed headers, one spelling per request and all at once
    my @spell = ('X-JWTSSO-Claim-Role', 'x-jwtsso-claim-role', 'X-Jwtsso-Claim-ROLE', 'X_JWTSSO_CLAIM_ROLE',
                 'X-JWTSSO_Claim-Role', 'X_JWTSSO-Claim-Role', 'x_jwtsso_claim_role', 'X-JWTSSO-CLAIM-ROLE',
                 'X-JWTSSO-Claim-Sub', 'X-JWTSSO-Claim-Admin', 'X-JWTSSO-Claims');
    my @sets = ((map { [$_] } @spell), [@spell]);
    for my $set (@sets) {
        my $label = @$set > 1 ? 'all spellings' : $set->[0];
        my @lines = map { "$_: spoofed" } @$set;

        $res = raw_get($HP, '/app/pass/x', @lines);
        $v = app_vars($res);
        is code_of($res), 200, "4: spoof $label, anonymous /app/pass: 200";
        is $v->{REMOTE_USER}, '', "4: spoof $label, anonymous /app/pass: no REMOTE_USER";
        ok !exists $v->{HTTP_X_JWTSSO_CLAIM_ROLE} && $res->content !~ /spoofed/,
            "4: spoof $label, anonymous /app/pass: the app sees nothing spoofed"
            or diag $res->content;

        $res = raw_get($HP, '/app/headers/x', "Cookie: $COOKIE=$value", @lines);
        $v = app_vars($res);
        is $v->{REMOTE_USER}, 'carol', "4: spoof $label, /app/headers: REMOTE_USER carol";
        ok(($v->{HTTP_X_JWTSSO_CLAIM_ROLE} // '') eq 'admin' && $res->content !~ /spoofed/,
           "4: spoof $label, /app/headers: X-JWTSSO-Claim-Role is the token's (admin), nothing spoofed")
            or diag $res->content;

        $res = raw_get($HP, '/app/proxied/x', "Cookie: $COOKIE=$value", @lines);
        $v = app_vars($res);
        ok code_of($res) == 200 && ($v->{HTTP_X_JWTSSO_CLAIM_ROLE} // '') eq 'admin'
           && !exists $v->{JWTSSO_ECHO_SPOOFED} && $res->content !~ /spoofed/,
           "4: spoof $label, /app/proxied: the backend gets the token's claims only"
            or diag $res ? $res->as_string : 'no answer';
    }
}

# ================================================================ 4b. the session cookie twice
{
    my ($ua, $value) = login_at($BASE, '/app/headers/x', 'frank', role => 'user');
    # the session cookie twice, a good and a junk one, in both orders: never a 5xx
    for my $cookie ("$COOKIE=$value; $COOKIE=junk", "$COOKIE=junk; $COOKIE=$value",
                    "$COOKIE=$value; $COOKIE=jwtsso%3Dj1.a.b") {
        my $r = ua(cookie_jar => undef)->get("$BASE/app/nostate/x", Cookie => $cookie);
        my $user = $r->code == 200 ? app_vars($r)->{REMOTE_USER} : '';
        ok(($r->code == 200 && $user eq 'frank') || ($r->code == 302 && $user eq ''),
           '4b: two session cookies (' . ($cookie =~ s/\Q$value\E/GOOD/r) . '): logged in as frank or not at all ('
           . $r->code . ')');
    }
}

# ================================================================ 5. another virtual host
{
    my ($ua, $main) = login_at($BASE, '/app/nostate/x', 'dave');
    is app_vars($ua->get("$BASE/app/nostate/x"))->{REMOTE_USER}, 'dave', '5: the cookie works on the main server';
    no_session_at('5: main cookie at the second host', $VH2, $main, 'record_bad_mac');

    my ($ua2, $vh) = login_at($VH2, '/app/nostate/x', 'dave');
    my $res = $ua2->get("$VH2/app/nostate/x");
    is $res->code, 200, '5: a login at the second host works there';
    is app_vars($res)->{REMOTE_USER}, 'dave', '5: ... REMOTE_USER dave';
    no_session_at("5: the second host's cookie on the main server", $BASE, $vh, 'record_bad_mac');
    $res = ua(cookie_jar => undef)->get("$BASE/app/pass/x", Cookie => "$COOKIE=$vh");
    is $res->code, 200, "5: the second host's cookie at /app/pass: 200";
    is app_vars($res)->{REMOTE_USER}, '', '5: ... anonymous';
}

# ================================================================ 6. oversized requests, junk cookies
{
    my $r = raw_get($HP, '/app/nostate/x', "Cookie: $COOKIE=" . ('A' x 65536));
    is code_of($r), 400, "6: 64 KiB Cookie header: httpd's 400";
    $r = raw_get($HP, '/app/nostate/x?q=' . ('A' x 65536));
    is code_of($r), 414, "6: 64 KiB query: httpd's 414";
    $r = raw_get($HP, '/logout?return_to=%2F' . ('A' x 65536));
    is code_of($r), 414, "6: 64 KiB return_to: httpd's 414";
    $r = raw_get($HP, '/app/nostate/x', map { "Cookie: c$_=" . ('B' x 4000) } 1 .. 30);
    ok code_of($r) eq '400' || code_of($r) eq '302', '6: 30 Cookie headers of 4000 bytes: 400 or 302, never 500 ('
        . code_of($r) . ')';
    is ua()->get("$BASE/app/pass/x")->code, 200, '6: the server still answers';

    my $junk = join '', map { chr(33 + ($_ * 7919) % 94) } 1 .. 4000;
    my %cookies = (
        'A x 4000'             => 'A' x 4000,
        'jwtsso=A x 3993'      => 'jwtsso=' . ('A' x 3993),
        'jwtsso=j1.junk.junk'  => 'jwtsso=j1.' . ('Q' x 1990) . '.' . ('w' x 1990),
        'printable junk'       => uri_escape($junk),
        'jwtsso=printable junk'=> 'jwtsso=' . uri_escape(substr($junk, 0, 1300)),
        'jwtsso=%%%'           => 'jwtsso=' . ('%' x 3993),
        'many entries'         => join('&', map { "k$_=v" } 1 .. 600),
        'jwtsso= x 300'        => join('&', ('jwtsso=j1.a.b') x 300),
    );
    for my $label (sort keys %cookies) {
        my $value = $cookies{$label};
        my $mark = error_log_mark();
        my $res = ua(cookie_jar => undef)->get("$BASE/app/nostate/x", Cookie => "$COOKIE=$value");
        is $res->code, 302, "6: session cookie '$label' (" . length($value) . ' bytes): 302, not logged in'
            or diag $res->as_string;
        like $res->header('Location') // '', $IDP_RE, "6: ... '$label': to log in";
        $res = ua(cookie_jar => undef)->get("$BASE/app/pass/x", Cookie => "$COOKIE=$value");
        is $res->code, 200, "6: ... '$label' at /app/pass: 200";
        is app_vars($res)->{REMOTE_USER}, '', "6: ... '$label' at /app/pass: anonymous";
        if ($value =~ /^jwtsso=/) {
            log_like($mark, qr/JWTSSO0030[12]: /, "6: ... '$label': log JWTSSO0030x");
        }
    }
    is ua()->get("$BASE/app/pass/x")->code, 200, '6: the server still answers';
}

# ================================================================ 7. state cookie attributes
{
    for my $case (['/app/sso/x', 0], ['/app/public/x', 1]) {
        my ($path, $secure) = @$case;
        my $res = ua()->get("$BASE$path");
        is $res->code, 302, "7: $path: 302 to log in";
        my $name = $secure ? '__Host-jwtsso_state' : 'jwtsso_state';
        my $c = response_cookie($res, $name);
        ok $c, "7: $path: a $name cookie" or next;
        like $c->{value}, qr/^[0-9a-f]{32}$/, "7: $path: state is 32 hex digits";
        is $c->{attr}{path}, '/', "7: $path: Path=/";
        ok $c->{attr}{httponly}, "7: $path: HttpOnly";
        is lc($c->{attr}{samesite} // ''), 'lax', "7: $path: SameSite=Lax";
        is $c->{attr}{'max-age'}, '600', "7: $path: Max-Age=600";
        if ($secure) {
            ok $c->{attr}{secure}, "7: $path (https public URL): Secure";
        }
        else {
            ok !$c->{attr}{secure}, "7: $path (http): not Secure";
        }
        ok !session_written($res), "7: $path: no session cookie";
    }
}

# one state cookie, however many logins a browser starts (no flood of cookies)
{
    my $ua = ua();
    $ua->get("$BASE/app/sso/x$_") for 1 .. 12;
    my $jar = $ua->cookie_jar->as_string;
    my $n = () = $jar =~ /jwtsso_state=/g;
    is $n, 1, '7: 12 logins started: the browser holds one jwtsso_state cookie';
}

# claim names that map to one variable or header: the first claim (in the
# token's order) wins, a later one never shadows it
{
    my $now = time;
    my $json = qq({"sub":"cora","role":"admin","Role":"user","a b":"first","a-b":"second",)
             . qq("iat":$now,"exp":) . ($now + 3600) . qq(,"jti":"t70-collide-$$-$now"});
    my $t = tok(raw_token(payload => $json, secret => secret('main')));
    my $ua = ua();
    my $res = $ua->get("$BASE/app/both/x?jwt=" . uri_escape($t));
    is $res->code, 302, '7b: login with colliding claim names';
    my $v = app_vars($ua->get("$BASE/app/both/x"));
    is $v->{JWTSSO_CLAIM_ROLE}, 'admin', '7b: JWTSSO_CLAIM_ROLE is the first claim (role), not Role';
    is $v->{HTTP_X_JWTSSO_CLAIM_ROLE}, 'admin', '7b: X-JWTSSO-Claim-role is the first claim too';
    is $v->{HTTP_X_JWTSSO_CLAIM_A_B}, 'first', '7b: "a b" and "a-b" share a header: the first wins';
}

# ================================================================ 8. aftermath
{
    is ua()->get("$BASE/app/pass/x")->code, 200, '8: the server still answers';
    my $log = error_log_since($START);
    my @crash = crash_lines($log);
    is_deeply \@crash, [], '8: no child crashed, no sanitizer report';
    my @leaks = grep { index($log, (split /\./, $_)[2] // $_) >= 0 }
                grep { length((split /\./, $_)[2] // '') >= 16 } @TOKENS;
    is scalar(@leaks), 0, '8: the error_log holds none of the ' . scalar(@TOKENS) . ' token signatures';
}

done_testing();
