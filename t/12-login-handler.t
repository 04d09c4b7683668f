# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# SetHandler jwtsso-login (t/conf/login.conf.in): the "log in" link of an
# app under JWTSSOUnauthAction pass.
#   1. the pass app serves anonymous users
#   2. start: the IdP with return_to = the full public URL of the target,
#      a state cookie
#   3. the round trip: the user lands on the target, logged in
#   4. already logged in: straight to the target
#   5. no return_to: the handler's directory
#   6. return_to refused: off-origin spellings, dot segments, twice, a page
#      outside AuthType jwtsso (400, a log line, nothing echoed)
#   7. methods (405), HEAD
#   8. a token or state planted in return_to is dropped
#   9. a target that needs a user; the handler under JWTSSOUnauthAction
#      redirect; behind JWTSSOPublicURL; outside any jwtsso section
#  10. the open-redirect corpus of t/70-attacks.t: never another origin
#  11. no token in the logs, no crash

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape uri_unescape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();                      # http://127.0.0.1:PORT
my ($HOST, $PORT) = $BASE =~ m{^http://([^:/]+):(\d+)$} or die "base_url: $BASE\n";
my $HP = "$HOST:$PORT";
my $IDP = 'https://idp.example.test/login';
my $PUB = 'https://public.example.test:8443/mount';
my $COOKIE = 'jwtsso_lp';
my $START = error_log_mark();
my @TOKENS;

sub tok { push @TOKENS, $_[0]; return $_[0] }
sub esc { uri_escape(shift, '^A-Za-z0-9._~-') }
sub login_url { my ($path, $ret) = @_; return "$BASE$path" . (defined $ret ? '?return_to=' . esc($ret) : '') }

# The decoded return_to of an IdP Location, and whether it is the IdP of client $client.
sub idp_return {
    my ($loc, $client) = @_;
    return undef unless defined $loc && $loc =~ /^\Q$IDP\E\?client=\Q$client\E&return_to=([^&]*)$/;
    return uri_unescape($1);
}

sub state_of {
    my $res = shift;
    my $c = response_cookie($res, 'jwtsso_state') || response_cookie($res, '__Host-jwtsso_state');
    return $c;
}

# A refusal: 400, no Location, no cookie, nothing echoed, the log line.
sub refused {
    my ($label, $res, $mark, $re, $echo) = @_;
    is $res->code, 400, "$label: 400" or diag $res->as_string;
    ok !defined $res->header('Location'), "$label: no Location";
    ok !state_of($res), "$label: no state cookie";
    unlike $res->content, qr/\Q$echo\E/, "$label: the page does not echo it" if defined $echo;
    log_like($mark, $re, "$label: log $re");
}

# ================================================================ 1. anonymous
{
    my $res = ua()->get("$BASE/lp/page");
    is $res->code, 200, '1: the pass app serves an anonymous user' or diag $res->as_string;
    is app_vars($res)->{REMOTE_USER}, '', '1: ... with no REMOTE_USER';
    is app_vars($res)->{AUTH_TYPE}, '', '1: ... and no AUTH_TYPE';
}

# ================================================================ 2-4. start, round trip, logged in
my $ua = ua();
{
    my $mark = error_log_mark();
    my $res = $ua->get(login_url('/lp/login', '/lp/page?x=1&y=two%20words'));
    is $res->code, 302, '2: /lp/login?return_to=/lp/page?...: 302' or diag $res->as_string;
    my $loc = $res->header('Location');
    my $ret = idp_return($loc, 'lp');
    ok defined $ret, "2: ... to the section's JWTSSOAuthEndpoint, its own query kept, then return_to"
        or diag $loc;
    $ret //= '';
    my ($enc) = ($loc // '') =~ /return_to=([^&]*)$/;
    like $enc // '', qr/^[A-Za-z0-9%._~-]+$/, '2: ... return_to fully percent-encoded';
    my $sc = state_of($res);
    ok $sc, '2: ... a state cookie';
    my $S = $sc ? $sc->{value} : 'none';
    like $S, qr/^[0-9a-f]{32}$/, '2: ... 32 hex digits';
    is $ret, "$BASE/lp/page?x=1&y=two%20words&jwtsso_state=$S",
        '2: ... return_to is the full public URL of the target, its query kept, plus jwtsso_state';
    is $sc && $sc->{attr}{path}, '/', '2: ... state cookie Path=/';
    ok $sc && $sc->{attr}{httponly}, '2: ... HttpOnly';
    is lc($sc && $sc->{attr}{samesite} || ''), 'lax', '2: ... SameSite=Lax';
    like $res->header('Cache-Control') // '', qr/no-store/, '2: ... Cache-Control: no-store';
    ok !response_cookie($res, $COOKIE), '2: ... no session cookie yet';
    log_like($mark, qr{JWTSSO00955: login: to the login page, back to \Q$BASE\E/lp/page\?x=1&y=two%20words$}m,
             '2: log JWTSSO00955 names the target');

    # 3. the IdP sends the browser back to the target
    my $token = tok(node_token(secret('main'), { sub => 'alice', role => 'staff' },
                               { expiresIn => '1h', algorithm => 'HS256' }));
    $mark = error_log_mark();
    $res = $ua->get("$ret&jwt=$token");
    is $res->code, 302, '3: the target consumes the token: 302' or diag $res->as_string;
    is $res->header('Location'), "$BASE/lp/page?x=1&y=two%20words", '3: ... to the target without jwt and jwtsso_state';
    my $sess = response_cookie($res, $COOKIE);
    ok $sess && length $sess->{value}, '3: ... the session cookie';
    ok cookie_cleared(response_cookie($res, 'jwtsso_state')), '3: ... the state cookie spent';
    log_like($mark, qr/JWTSSO00408: login: user 'alice'/, '3: log JWTSSO00408 login alice');
    $res = $ua->get("$BASE/lp/page?x=1&y=two%20words");
    is $res->code, 200, '3: the target, logged in: 200';
    my $v = app_vars($res);
    is $v->{REMOTE_USER}, 'alice', '3: ... REMOTE_USER=alice';
    is $v->{JWTSSO_CLAIM_ROLE}, 'staff', '3: ... the claims';
    is $v->{QUERY_STRING}, 'x=1&y=two%20words', '3: ... the query as it was';

    # 4. already logged in
    $mark = error_log_mark();
    $res = $ua->get(login_url('/lp/login', '/lp/other?z=9'));
    is $res->code, 302, '4: logged in: 302';
    is $res->header('Location'), "$BASE/lp/other?z=9", '4: ... straight to the target';
    ok !state_of($res), '4: ... no state cookie';
    like $res->header('Cache-Control') // '', qr/no-store/, '4: ... Cache-Control: no-store';
    log_like($mark, qr{JWTSSO00954: login: user 'alice' is logged in there already: to \Q$BASE\E/lp/other\?z=9},
             '4: log JWTSSO00954');
    $res = $ua->get(login_url('/lp/login', "$BASE/lp/abs"));
    is $res->header('Location'), "$BASE/lp/abs", '4: an absolute same-origin return_to: to it';
    $res = $ua->get(login_url('/lp/login', '/lp/caf%C3%A9%20x/y%3Bz?q=%26&r=a+b'));
    is $res->header('Location'), "$BASE/lp/caf%C3%A9%20x/y%3Bz?q=%26&r=a+b", '4: an encoded path and query: kept as written';
    $res = $ua->get(login_url('/lp/login', "HTTP://$HOST:$PORT/lp/abs"));
    is $res->header('Location'), "$BASE/lp/abs", '4: ... in capitals: to it, rebuilt';
    # logged in here is logged in for /lp/members/ (the same login)
    $res = $ua->get(login_url('/lp/login', '/lp/members/x'));
    is $res->header('Location'), "$BASE/lp/members/x", '4: a target that needs a user: straight there';
    is app_vars($ua->get("$BASE/lp/members/x"))->{REMOTE_USER}, 'alice', '4: ... and it has one';
}

# ================================================================ 5. no return_to
{
    my $res = ua()->get("$BASE/lp/login");
    is $res->code, 302, '5: /lp/login without return_to: 302';
    my $sc = state_of($res);
    my $S = $sc ? $sc->{value} : 'none';
    is idp_return($res->header('Location'), 'lp'), "$BASE/lp/?jwtsso_state=$S",
        "5: ... back to the handler's directory, /lp/";
    $res = ua()->get("$BASE/lp/login?return_to=");
    like idp_return($res->header('Location'), 'lp') // '', qr/^\Q$BASE\E\/lp\/\?jwtsso_state=[0-9a-f]{32}$/,
        '5: an empty return_to: the same';
    $res = $ua->get("$BASE/lp/login");
    is $res->header('Location'), "$BASE/lp/", '5: logged in: to /lp/';
}

# ================================================================ 6. refusals
{
    my @off = (
        'https://evil.example/',
        'http://evil.example/lp/page',
        '//evil.example/',
        '///evil.example/',
        '/\\evil.example/',
        '\\\\evil.example/',
        "/lp/page\x01",
        "/lp/\r\nLocation: https://evil.example/",
        "/lp/page\t",
        'javascript:alert(1)',
        'data:text/html,evil',
        "https://$HOST:$PORT/lp/page",
        "http://$HOST:" . ($PORT + 1) . '/lp/page',
        "http://localhost:$PORT/lp/page",
        "http://evil.example\@$HOST:$PORT/lp/page",
        "http:/$HOST:$PORT/lp/page",
        'lp/page',
    );
    for my $bad (@off) {
        my $shown = $bad =~ s/([\x00-\x1f])/sprintf('\\x%02x', ord $1)/ger;
        for my $who (['anonymous', ua()], ['logged in', $ua]) {
            my $mark = error_log_mark();
            my $res = $who->[1]->get(login_url('/lp/login', $bad));
            refused("6: $who->[0], return_to=$shown", $res, $mark,
                    qr/JWTSSO00956: login: return_to refused: not a URL of this site \(\Q$BASE\E\)/,
                    $bad =~ /evil/ ? 'evil' : undef);
        }
    }
    for my $dots ('/lp/../index.html', '/lp/./page', '/lp/%2e%2e/index.html', '/lp/.%2E/x', '/lp/x/..') {
        my $mark = error_log_mark();
        my $res = ua()->get(login_url('/lp/login', $dots));
        refused("6: return_to=$dots", $res, $mark,
                qr/JWTSSO00956: login: return_to refused: a '\.' or '\.\.' path segment/);
    }
    my $u = ua();
    my $res = $u->get(login_url('/lp/login', '/lp/caf%C3%A9%20x?q=%26'));
    my $S = (state_of($res) || {})->{value} // 'none';
    is idp_return($res->header('Location'), 'lp'), "$BASE/lp/caf%C3%A9%20x?q=%26&jwtsso_state=$S",
        '6: an encoded path: the return URL keeps it as written';
    my $mark0 = error_log_mark();
    $res = ua()->get(login_url('/lp/login', '/lp/a%2Fb'));
    refused('6: return_to=/lp/a%2Fb (an encoded slash: httpd serves no such page)', $res, $mark0,
            qr{JWTSSO00952: login: return_to refused: /lp/a%2Fb is not under AuthType jwtsso});
    $res = ua()->get(login_url('/lp/login', '/lp/...'));
    is $res->code, 302, "6: return_to=/lp/... (a name of three dots): not a dot segment, 302";

    my $mark = error_log_mark();
    $res = $ua->get(login_url('/lp/login', '/index.html'));
    refused('6: return_to=/index.html (not under AuthType jwtsso), logged in', $res, $mark,
            qr{JWTSSO00952: login: return_to refused: /index\.html is not under AuthType jwtsso});
    $mark = error_log_mark();
    $res = ua()->get(login_url('/lp/login', "$BASE/cgi/app.cgi?jwt=x"));
    refused('6: return_to=/cgi/app.cgi (not under AuthType jwtsso)', $res, $mark,
            qr{JWTSSO00952: login: return_to refused: /cgi/app\.cgi\?jwt=x is not under AuthType jwtsso});

    $mark = error_log_mark();
    $res = ua()->get("$BASE/lp/login?return_to=%2Flp%2Fa&return_to=%2Flp%2Fb");
    refused('6: return_to twice', $res, $mark, qr/JWTSSO00951: login: return_to refused: given 2 times/);
}

# ================================================================ 7. methods
{
    for my $m (qw(POST PUT DELETE)) {
        my $mark = error_log_mark();
        my $res = req(ua(), $m => login_url('/lp/login', '/lp/page'));
        is $res->code, 405, "7: $m /lp/login: 405";
        like $res->header('Allow') // '', qr/\bGET\b/, '7: ... Allow names GET';
        ok !state_of($res), '7: ... no state cookie';
        log_like($mark, qr/JWTSSO00950: login: method \Q$m\E refused/, "7: ... log JWTSSO00950");
    }
    my $res = req(ua(), HEAD => login_url('/lp/login', '/lp/page'));
    is $res->code, 302, '7: HEAD: 302';
    like idp_return($res->header('Location'), 'lp') // '', qr{^\Q$BASE\E/lp/page\?jwtsso_state=[0-9a-f]{32}$}, '7: ... to the IdP';
}

# ================================================================ 8. planted token and state
{
    my $res = ua()->get(login_url('/lp/login', '/lp/page?a=1&jwt=planted&jwtsso_state=planted&b=2'));
    my $sc = state_of($res);
    my $S = $sc ? $sc->{value} : 'none';
    is idp_return($res->header('Location'), 'lp'), "$BASE/lp/page?a=1&b=2&jwtsso_state=$S",
        '8: jwt and jwtsso_state in return_to are dropped; one fresh state';
    $res = $ua->get(login_url('/lp/login', '/lp/page?a=1&jwt=planted'));
    is $res->header('Location'), "$BASE/lp/page?a=1", '8: logged in: the planted jwt dropped too';
}

# ================================================================ 9. other sections
{
    # a target that needs a user, anonymous: its login, then there
    my $u = ua();
    my $res = $u->get(login_url('/lp/login', '/lp/members/page'));
    my $S = (state_of($res) || {})->{value} // 'none';
    my $ret = idp_return($res->header('Location'), 'lp');
    is $ret, "$BASE/lp/members/page?jwtsso_state=$S", '9: a target that needs a user: the IdP, back to it';
    my $token = tok(py_token(secret('main'), { sub => 'bob', iat => time, exp => time + 3600 }));
    $res = $u->get(($ret // '') . "&jwt=$token");
    is $res->code, 302, '9: ... a PyJWT token consumed there' or diag $res->as_string;
    is $res->header('Location'), "$BASE/lp/members/page", '9: ... back to the clean URL';
    $res = $u->get("$BASE/lp/members/page");
    is $res->code, 200, '9: ... 200';
    is app_vars($res)->{REMOTE_USER}, 'bob', '9: ... REMOTE_USER=bob';
    is app_vars($u->get("$BASE/lp/page"))->{REMOTE_USER}, 'bob', '9: ... and the pass app knows bob too';

    # the flow's own redirect for that page keeps its encoding as the handler does
    # (/lp/members/ itself answers 401: it inherits pass, DESIGN §2.6; /lpr/ redirects)
    # (jwtsso_url_self once built it from r->parsed_uri.path, which httpd
    # decodes in place: the IdP got .../lpr/caf\xc3\xa9 x; issue 14)
    $res = ua()->get("$BASE/lpr/caf%C3%A9%20x?q=%26");
    like idp_return(scalar $res->header('Location'), 'lpr') // '', qr{^\Q$BASE\E/lpr/caf%C3%A9%20x\?q=%26&jwtsso_state=[0-9a-f]{32}$},
        '9: the flow at an encoded path: the return URL as the browser wrote it'
        or diag $res->code . ' ' . ($res->header('Location') // '');
    $res = ua()->get(login_url('/lp/login', '/lp/members/caf%C3%A9%20x?q=%26'));
    like idp_return(scalar $res->header('Location'), 'lp') // '', qr{^\Q$BASE\E/lp/members/caf%C3%A9%20x\?q=%26&jwtsso_state=[0-9a-f]{32}$},
        '9: ... the same through the handler';

    # the handler under JWTSSOUnauthAction redirect: the section logs in first
    $u = ua();
    $res = $u->get(login_url('/lpr/login', '/lpr/page'));
    $S = (state_of($res) || {})->{value} // 'none';
    $ret = idp_return($res->header('Location'), 'lpr');
    is $ret, "$BASE/lpr/login?return_to=%2Flpr%2Fpage&jwtsso_state=$S",
        '9: under redirect: the IdP, back to the handler itself (the section\'s own login)';
    $token = tok(node_token(secret('main'), { sub => 'carol' }, { expiresIn => '1h' }));
    $res = $u->get(($ret // '') . "&jwt=$token");
    is $res->header('Location'), "$BASE/lpr/login?return_to=%2Flpr%2Fpage", '9: ... consumed at the handler: back to it';
    $res = $u->get($res->header('Location') // "$BASE/lpr/login");
    is $res->header('Location'), "$BASE/lpr/page", '9: ... which sends the user to the target';
    is app_vars($u->get("$BASE/lpr/page"))->{REMOTE_USER}, 'carol', '9: ... logged in';

    # behind a proxy mounted at /mount (JWTSSOPublicURL)
    $res = ua()->get(login_url('/lpp/login', '/mount/lpp/page?q=1'));
    my $sc = state_of($res);
    is $sc && $sc->{name}, '__Host-jwtsso_state', '9: JWTSSOPublicURL https: the __Host- state cookie';
    ok $sc && $sc->{attr}{secure}, '9: ... Secure';
    $S = $sc ? $sc->{value} : 'none';
    is idp_return($res->header('Location'), 'lpp'), "$PUB/lpp/page?q=1&jwtsso_state=$S",
        '9: ... return_to=/mount/lpp/page: the public URL of the target';
    $res = ua()->get(login_url('/lpp/login', "$PUB/lpp/abs"));
    like idp_return($res->header('Location'), 'lpp') // '', qr{^\Q$PUB\E/lpp/abs\?jwtsso_state=[0-9a-f]{32}$},
        '9: ... an absolute public URL: accepted';
    $res = ua()->get("$BASE/lpp/login");
    like idp_return($res->header('Location'), 'lpp') // '', qr{^\Q$PUB\E/lpp/\?jwtsso_state=[0-9a-f]{32}$},
        '9: ... no return_to: the public URL of /lpp/';
    my $mark = error_log_mark();
    $res = ua()->get(login_url('/lpp/login', '/lpp/page'));
    refused('9: ... return_to=/lpp/page (outside the mount)', $res, $mark,
            qr{JWTSSO00956: login: return_to refused: not under JWTSSOPublicURL's path /mount});
    $mark = error_log_mark();
    $res = ua()->get(login_url('/lpp/login', "$BASE/lpp/page"));
    refused('9: ... the internal origin', $res, $mark,
            qr{JWTSSO00956: login: return_to refused: not a URL of this site \(https://public\.example\.test:8443\)});

    # outside any jwtsso section: the target's section decides
    $res = ua()->get(login_url('/lpout/login', '/lp/page'));
    like idp_return($res->header('Location'), 'lp') // '', qr{^\Q$BASE\E/lp/page\?jwtsso_state=[0-9a-f]{32}$},
        "9: a handler outside AuthType jwtsso: the target's section's login";
    $res = $ua->get(login_url('/lpout/login', '/lp/page'));
    is $res->header('Location'), "$BASE/lp/page", '9: ... logged in there: straight to it';
    $mark = error_log_mark();
    $res = ua()->get("$BASE/lpout/login");
    is $res->code, 500, '9: ... without return_to: its directory is no jwtsso section: 500';
    ok !defined $res->header('Location'), '9: ... no Location';
    log_like($mark, qr{JWTSSO00953: jwtsso-login at /lpout/login has no return_to and its directory /lpout/ is not under AuthType jwtsso},
             '9: ... log JWTSSO00953 names the fix');
}

# ================================================================ 10. the open-redirect corpus
{
    my $file = "$FindBin::Bin/data/open-redirect.txt";
    open my $fh, '<:raw', $file or die "$file: $!";
    my (@open, @errors, $n);
    my $mark = error_log_mark();
    while (my $line = <$fh>) {
        $line =~ s/\r?\n\z//;
        next if $line eq '' || $line =~ /^#(?: |$)/;
        my $raw = 0;
        while ($line =~ s/^(ok|any|raw) //) {
            $raw = 1 if $1 eq 'raw';
        }
        $line =~ s/\{ORIGIN\}/$BASE/g;
        $line =~ s/\{HOST\}/$HOST/g;
        $line =~ s/\{PORTWRAP\}/$PORT + 65536/ge;
        $line =~ s/\{PORT\}/$PORT/g;
        my $q = $raw ? $line : esc($line);
        my $r = raw_http($HP, "GET /lp/login?return_to=$q HTTP/1.0\r\nHost: $HP\r\n\r\n");
        $n++;
        if (!$r || $r->code >= 500) {
            push @errors, "$line => " . ($r ? $r->code : 'no answer');
            next;
        }
        next if $r->code == 400 && !defined $r->header('Location');
        # the IdP of the target's section (a payload may name /app/...)
        my ($ret) = ($r->header('Location') // '') =~ /^\Q$IDP\E\?client=\w+&return_to=([^&]*)$/;
        $ret = uri_unescape($ret) if defined $ret;
        my $o = url_origin($ret);
        push @open, "$line => " . $r->code . ' ' . ($r->header('Location') // '')
            unless $r->code == 302 && defined $o && $o eq "http://$HOST:$PORT";
    }
    close $fh;
    cmp_ok $n, '>=', 300, "10: the corpus ($n payloads)";
    is_deeply \@open, [], '10: no answer but a 400 or the IdP coming back to this origin';
    is_deeply \@errors, [], '10: no 5xx, always an answer';
    unlike scalar(error_log_since($mark)), qr/^(?:Location|Set-Cookie|X):/mi,
        '10: no CR/LF made it into the error_log as a line of its own';
}

# ================================================================ 11. logs
{
    my $log = error_log_since($START);
    my @leaks = grep { index($log, $_) >= 0 || index($log, (split /\./, $_)[2]) >= 0 } @TOKENS;
    is scalar(@leaks), 0, '11: the error_log holds none of the ' . scalar(@TOKENS) . ' tokens';
    is_deeply [crash_lines($log)], [], '11: no crashed child';
    is ua()->get("$BASE/lp/page")->code, 200, '11: the server still answers';
}

done_testing();
