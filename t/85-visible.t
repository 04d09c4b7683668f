# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Failed logins an administrator can see (issue 14; DESIGN §2.5), on the
# sections of t/conf/visible.conf.in:
#   1. a token the IdP sent back to a browser and refused: warn, with the fix
#   2. the same from an XHR, a bearer token, a state mismatch: info
#   3. the rate limit: a burst gives one warn per reason per child
#   4. the state refusals of the browser flow
#   5. the 401 page: one sentence and a link; the reason under JWTSSODebug On;
#      an ErrorDocument 401 replaces it
#   6. a logout that finds no login (another SessionCookieName): warn
#   7. encoded paths come back encoded (return_to, the URL after the login)
#   8. JWTSSODebug at start-up
# The test server runs several children: the rate limit is per child, so
# lines are counted per pid.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use URI::Escape qw(uri_escape uri_unescape);
use Time::HiRes ();
use Digest::SHA qw(sha256_hex);

plan tests => 131, need_module('mod_auth_jwtsso.c');

my $BASE = base_url();
my $VH = vhost_base_url('jwtsso_visible');
my $OTHER = secret('other');

# ---------------------------------------------------------------- helpers

# The error_log lines of our module since $mark, parsed:
# {time (seconds, fractional), level, pid, tag (five digits), text}.
sub lines_since {
    my ($mark, $wait_re) = @_;
    my @out;
    for my $l (error_log_since($mark, $wait_re)) {
        next unless $l =~ /^\[\w+ \w+ +\d+ (\d+):(\d+):(\d+)(\.\d+)? \d+\] \[auth_jwtsso:(\w+)\] \[pid (\d+)[^\]]*\].*?JWTSSO(\d{5}): (.*)$/;
        push @out, { time => $1 * 3600 + $2 * 60 + $3 + ($4 // 0), level => $5,
                     pid => $6, tag => $7, text => $8, line => $l };
    }
    return @out;
}

sub with_tag { my ($tag, @l) = @_; grep { $_->{tag} eq $tag } @l }

# Wait past the rate limit's second, so that the next refusal of a kind
# in any child may go to warn.
sub quiet { Time::HiRes::sleep(1.2) }

sub bad_sig { fresh_token($_[0] // { sub => 'mallory' }, secret => $OTHER) }
sub expired { fresh_token({ sub => 'old', iat => time - 7200, exp => time - 3600 }) }

sub present {
    my ($path, $token, @h) = @_;
    return req(ua(), 'GET', "$BASE$path" . ($path =~ /\?/ ? '&' : '?') . 'jwt=' . uri_escape($token), @h);
}

# one refused token: the lines of its request (waiting for its tag)
sub refusal {
    my ($path, $token, $tag, @h) = @_;
    my $mark = error_log_mark();
    my $res = present($path, $token, @h);
    my @l = with_tag($tag, lines_since($mark, qr/$tag/));
    return ($res, @l);
}

sub page_ok {
    my ($label, $res, $back, $token) = @_;
    is $res->code, 401, "$label: 401";
    like $res->header('Content-Type') // '', qr{^text/html}, "$label: an HTML page";
    like $res->header('Cache-Control') // '', qr/no-store/, "$label: Cache-Control: no-store";
    like $res->content, qr{<p>The login failed: please <a href="\Q$back\E">try again</a>\.</p>},
        "$label: one sentence, a link to $back" or diag $res->content;
    ok index($res->content, $token) < 0 && index($res->content, (split /\./, $token)[2]) < 0,
        "$label: the token is not echoed";
}

# ================================================================ 1. browser flow: warn, with the fix
{
    my $now = time;
    my @cases = (
        [no_iat => '00220', fresh_token({ sub => 'a', iat => undef }),
         qr/fix: set JWTSSOMaxAge off for tokens without iat$/],
        [bad_signature => '00213', bad_sig(),
         qr/fix: check JWTSSOSecret is the IdP's secret \(file:PATH for a file\) or that JWTSSOVerifyKey\/JWTSSOVerifyJWKS hold the IdP's current key$/],
        [expired => '00215', expired(), qr/fix: check this server's and the IdP's clocks \(NTP\); JWTSSOClockSkew allows/],
        [too_old => '00218', fresh_token({ sub => 'a', iat => $now - 600 }), qr/fix: check the clocks \(NTP\), or raise JWTSSOMaxAge/],
        [no_user => '00221', fresh_token({ sub => undef, name => 'x' }), qr/fix: set JWTSSOUserClaim to the claim that holds the user name$/],
    );
    quiet();
    for my $c (@cases) {
        my ($reason, $tag, $token, $fix) = @$c;
        my ($res, @l) = refusal('/vis/nostate/p', $token, $tag);
        is $res->code, 401, "1 $reason: 401";
        is scalar(@l), 1, "1 $reason: one line JWTSSO$tag";
        is $l[0] && $l[0]{level}, 'warn', "1 $reason: at warn (a token the IdP sent back to a browser)";
        like $l[0] ? $l[0]{text} : '', qr/^token refused: \Q$reason\E: .*$fix/, "1 $reason: the line names the fix";
        ok $l[0] && index($l[0]{line}, $token) < 0, "1 $reason: not the token";
    }
    # an unsigned token has no fix to give; a token that is no JWT has
    my ($res, @l) = refusal('/vis/nostate/p', raw_token(alg => 'none', payload => { sub => 'a' }), '00207');
    unlike $l[0] ? $l[0]{text} : 'fix:', qr/fix:/, '1 alg_none: no fix (nothing to set)';
    ($res, @l) = refusal('/vis/nostate/p', 'opaque-access-token', '00202');
    like $l[0] ? $l[0]{text} : '', qr/fix: the IdP must append a compact JWT as the JWTSSOTokenParam parameter$/,
        '1 malformed: the IdP must send a JWT';
}

# ================================================================ 2. not the browser flow: info
{
    quiet();
    my ($res, @l) = refusal('/vis/nostate/p', bad_sig(), '00213', 'X-Requested-With' => 'XMLHttpRequest');
    is $res->code, 401, '2 XHR: 401';
    is $l[0] && $l[0]{level}, 'info', '2 XHR (X-Requested-With): info';
    ($res, @l) = refusal('/vis/nostate/p', expired(), '00215', 'Sec-Fetch-Mode' => 'cors');
    is $l[0] && $l[0]{level}, 'info', '2 fetch() (Sec-Fetch-Mode: cors): info';
    ($res, @l) = refusal('/vis/nostate/p', fresh_token({ sub => 'a', iat => undef }), '00220', Accept => 'application/json');
    is $l[0] && $l[0]{level}, 'info', '2 Accept: application/json: info';

    my $mark = error_log_mark();
    $res = req(ua(), 'GET', "$BASE/vis/bearer/p", Authorization => 'Bearer ' . bad_sig());
    is $res->code, 401, '2 bearer: 401';
    @l = with_tag('00213', lines_since($mark, qr/00213/));
    is $l[0] && $l[0]{level}, 'info', '2 bearer: info (anyone can send one)';
    like $l[0] ? $l[0]{text} : '', qr/^bearer token refused: bad_signature: /, '2 bearer: the line';
    unlike $l[0] ? $l[0]{text} : 'fix:', qr/fix:/, '2 bearer: no fix (the client\'s business)';
    unlike $res->content, qr/The login failed/, '2 bearer: not the login page';
}

# ================================================================ 3. the rate limit
{
    my $N = 24;
    my @tokens = map { $_ % 2 ? expired() : bad_sig() } 1 .. $N;
    quiet();
    my $mark = error_log_mark();
    my $t0 = Time::HiRes::time();
    my $codes = 0;
    $codes += present('/vis/nostate/burst', $_)->code == 401 ? 1 : 0 for @tokens;
    my $took = Time::HiRes::time() - $t0;
    is $codes, $N, "3: $N bad logins: 401 each";
    # each line is written before its answer is sent: all there now
    my @l = lines_since($mark);
    for my $tag ('00213', '00215') {
        my @t = with_tag($tag, @l);
        is scalar(@t), $N / 2, "3 JWTSSO$tag: one line per refusal (" . $N / 2 . '): nothing lost at info';
        my (%by, @bad_gap, @bad_count);
        push @{ $by{$_->{pid}} }, $_ for @t;
        my ($warns, $first_warn) = (0, scalar keys %by);
        # a burst under a second: one warn per child; a slow machine's
        # longer burst: at most one a second
        my $max = $took < 0.9 ? 1 : 1 + int($took);
        for my $pid (sort keys %by) {
            my @w = grep { $_->{level} eq 'warn' } @{ $by{$pid} };
            $warns += @w;
            $first_warn &&= $by{$pid}[0]{level} eq 'warn';
            for my $i (1 .. $#w) {
                # the limit is checked just before the line is written
                push @bad_gap, $w[$i]{time} - $w[$i - 1]{time} if $w[$i]{time} - $w[$i - 1]{time} < 0.9;
            }
            push @bad_count, "child $pid: " . scalar(@w) if @w < 1 || @w > $max;
        }
        is_deeply \@bad_count, [], sprintf("3 JWTSSO$tag: each of %d children: %s warn in a burst of %.2f s",
                                           scalar(keys %by), $max == 1 ? 'one' : "1 to $max", $took);
        ok $first_warn, "3 JWTSSO$tag: each child's first refusal after a quiet second is a warn";
        is_deeply \@bad_gap, [], "3 JWTSSO$tag: a child's warns are a second apart";
        my @other = grep { $_->{level} ne 'warn' && $_->{level} ne 'info' } @t;
        is scalar(@other), 0, "3 JWTSSO$tag: the rest at info";
        ok $warns < $N / 2, "3 JWTSSO$tag: $warns of " . $N / 2 . ' at warn';
    }
}

# ================================================================ 4. the state refusals
{
    # start a login: a state cookie and a return URL with the state
    my $ua = ua();
    my $res = $ua->get("$BASE/vis/s/p?x=1");
    my $ret = uri_unescape(($res->header('Location') // '') =~ /return_to=([^&]*)/ ? $1 : '');
    like $ret, qr{^\Q$BASE\E/vis/s/p\?x=1&jwtsso_state=[0-9a-f]{32}$}, '4: a login started';

    quiet();
    my $mark = error_log_mark();
    my $tok = fresh_token({ sub => 'a' });
    $res = ua()->get("$ret&jwt=$tok");     # another browser: no cookie
    my @l = with_tag('00402', lines_since($mark, qr/00402/));
    is $res->code, 401, '4 state_missing: 401';
    is $l[0] && $l[0]{level}, 'warn', '4 state_missing: warn (the cookie did not come back: the set-up)';
    like $l[0] ? $l[0]{text} : '', qr/^token refused: state_missing: .*fix: the IdP must send the browser back to return_to's scheme and host \(set JWTSSOPublicURL behind a proxy\) within 600 s$/,
        '4 state_missing: the fix';
    page_ok('4 state_missing', $res, "$BASE/vis/s/p?x=1", $tok);

    $mark = error_log_mark();
    $res = $ua->get("$BASE/vis/s/p?x=1&jwt=" . fresh_token({ sub => 'a' }));
    @l = with_tag('00403', lines_since($mark, qr/00403/));
    is $l[0] && $l[0]{level}, 'warn', '4 state_param_missing: warn (the IdP dropped return_to\'s query)';
    like $l[0] ? $l[0]{text} : '', qr/fix: the IdP must come back to return_to as given, its query included/, '4 state_param_missing: the fix';

    $mark = error_log_mark();
    $res = $ua->get("$BASE/vis/s/p?x=1&jwtsso_state=" . ('0' x 32) . '&jwt=' . fresh_token({ sub => 'a' }));
    @l = with_tag('00404', lines_since($mark, qr/00404/));
    is $res->code, 401, '4 state_mismatch: 401';
    is $l[0] && $l[0]{level}, 'info', '4 state_mismatch: info (another tab, or login CSRF)';

    quiet();
    $mark = error_log_mark();
    $res = req(ua(), 'GET', "$ret&jwt=" . fresh_token({ sub => 'a' }), 'X-Requested-With' => 'XMLHttpRequest');
    @l = with_tag('00402', lines_since($mark, qr/00402/));
    is $l[0] && $l[0]{level}, 'info', '4 state_missing from an XHR: info';

    $mark = error_log_mark();
    my $t = fresh_token({ sub => 'a' });
    $res = ua()->get("$BASE/vis/nostate/p?jwt=$t&jwt=$t");
    @l = with_tag('00401', lines_since($mark, qr/00401/));
    is $l[0] && $l[0]{level}, 'info', '4 duplicate_param: info (made by hand, not by an IdP)';
}

# ================================================================ 5. the page
{
    my $tok = bad_sig();
    my $res = present('/vis/nostate/p?a=1&b=x%20y', $tok);
    page_ok('5 default', $res, "$BASE/vis/nostate/p?a=1&amp;b=x%20y", $tok);
    unlike $res->content, qr/bad_signature|Reason/, '5 default: no reason (JWTSSODebug Off)';
    unlike $res->content, qr/could not verify/, '5 default: not httpd\'s generic 401 text';

    $tok = bad_sig();
    $res = present('/vis/debug/p', $tok);
    page_ok('5 JWTSSODebug On', $res, "$BASE/vis/debug/p", $tok);
    like $res->content, qr{<p>Reason: <code>bad_signature</code>}, '5 JWTSSODebug On: the reason named';
    $tok = fresh_token({ sub => 'a', iat => undef });
    $res = present('/vis/debug/p', $tok);
    like $res->content, qr{<code>no_iat</code>}, '5 JWTSSODebug On: no_iat';
    $tok = expired();
    $res = present('/vis/debug/off/p', $tok);
    page_ok('5 JWTSSODebug Off below On', $res, "$BASE/vis/debug/off/p", $tok);
    unlike $res->content, qr/expired|Reason/, '5 JWTSSODebug Off below On: no reason';
    $res = ua()->get("$BASE/vis/debug/p?jwt=x&jwt=y");
    like $res->content, qr{<code>duplicate_param</code>}, '5 JWTSSODebug On: duplicate_param';

    # the administrator's ErrorDocument
    $tok = bad_sig();
    $res = present('/vis/custom/p', $tok);
    is $res->code, 401, '5 ErrorDocument 401: 401';
    like $res->content, qr/VIS-CUSTOM-401/, '5 ErrorDocument 401: its page';
    unlike $res->content, qr/The login failed|bad_signature/, '5 ErrorDocument 401: not ours, no reason';

    # client text in the link is escaped
    my $raw = raw_http(Apache::TestRequest::hostport(),
        "GET /vis/nostate/p?q=\"><b>x</b>&jwt=a.b.c HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    SKIP: {
        skip 'httpd refused the raw request line itself', 2 unless $raw && $raw->code == 401;
        unlike $raw->content, qr/"><b>/, '5: a quote and markup from the query are not in the page as they came';
        like $raw->content, qr{href="\Q$BASE\E/vis/nostate/p\?q=&quot;&gt;&lt;b&gt;x&lt;/b&gt;"}, '5: ... they are escaped in the link';
    }

    $res = req(ua(), 'HEAD', "$BASE/vis/nostate/p?jwt=" . bad_sig());
    is $res->code, 401, '5 HEAD: 401';
    is $res->content, '', '5 HEAD: no body';

    # a good token still logs in
    $res = present('/vis/nostate/p?a=1', fresh_token({ sub => 'alice' }));
    is $res->code, 302, '5: a good token: 302';
    is $res->header('Location'), "$BASE/vis/nostate/p?a=1", '5: ... to the page without the token';
}

# ================================================================ 6. logout that finds no login
{
    my $ua = ua();
    my $res = $ua->get("$BASE/vis/nostate/p?jwt=" . fresh_token({ sub => 'erin' }));
    is $res->code, 302, '6: logged in';
    is app_vars($ua->get("$BASE/vis/nostate/p"))->{REMOTE_USER}, 'erin', '6: ... REMOTE_USER erin';

    quiet();
    my $mark = error_log_mark();
    $res = $ua->get("$BASE/vis-logout-other");
    is $res->code, 200, '6 another SessionCookieName: the logout page';
    my @l = with_tag('01180', lines_since($mark, qr/01180/));
    is $l[0] && $l[0]{level}, 'warn', '6: JWTSSO01180 at warn';
    is $l[0] && $l[0]{text}, "logout found no jwtsso login in this session: is this location's mod_session configuration (SessionCookieName, its path) the same as the protected sections'?",
        '6: the line says what to check';
    is app_vars($ua->get("$BASE/vis/nostate/p"))->{REMOTE_USER}, 'erin', '6: ... and indeed the user is still logged in';

    $mark = error_log_mark();
    $res = $ua->get("$BASE/vis-logout");
    is $res->code, 200, '6 the same cookie: the logout page';
    my @all = lines_since($mark, qr/00602/);
    ok((grep { $_->{tag} eq '00602' } @all) && !(grep { $_->{tag} eq '01180' } @all),
        '6 the same cookie: logged out, no JWTSSO01180');
    is $ua->get("$BASE/vis/nostate/p")->code, 302, '6: ... logged out indeed';
}

# ================================================================ 7. encoded paths
{
    # return_to, and the URL after the login, as the browser wrote them
    for my $path ('/vis/e/a%3Fb', '/vis/e/sp%20ace', '/vis/e/caf%C3%A9', '/vis/e/100%25') {
        my $ua = ua();
        my $res = $ua->get("$BASE$path?x=%26&y=1");
        my $ret = uri_unescape(($res->header('Location') // '') =~ /return_to=([^&]*)/ ? $1 : '');
        like $ret, qr{^\Q$BASE$path\E\?x=%26&y=1&jwtsso_state=[0-9a-f]{32}$}, "7 $path: return_to keeps the encoding";
        my $am = access_log_mark();
        $res = $ua->get("$ret&jwt=" . fresh_token({ sub => 'frank' }));
        is $res->header('Location'), "$BASE$path?x=%26&y=1", "7 $path: after the login, back to the same URL";
        like scalar(access_log_since($am, qr/redacted/)), qr{"GET \Q$path\E\?x=%26&y=1&jwtsso_state=[0-9a-f]{32}&jwt=\[redacted\] HTTP/1\.1"},
            "7 $path: the access log's request line keeps the path";
    }
    # the page's link too
    my $tok = bad_sig();
    page_ok('7 the page at an encoded path', present('/vis/nostate/a%3Fb', $tok), "$BASE/vis/nostate/a%3Fb", $tok);

    # an encoded slash, where httpd lets it through
    my $ua = ua();
    my $res = $ua->get("$VH/vis/e/a%2Fb?x=1");
    my $ret = uri_unescape(($res->header('Location') // '') =~ /return_to=([^&]*)/ ? $1 : '');
    like $ret, qr{^\Q$VH\E/vis/e/a%2Fb\?x=1&jwtsso_state=[0-9a-f]{32}$}, '7 %2F (AllowEncodedSlashes NoDecode): return_to';
    $res = $ua->get("$ret&jwt=" . fresh_token({ sub => 'frank' }));
    is $res->header('Location'), "$VH/vis/e/a%2Fb?x=1", '7 %2F: after the login, back to the same URL';
    is $ua->get("$VH/vis/e/a%2Fb?x=1")->code, 200, '7 %2F: logged in there';

    # an absolute-form request line: its path
    my $hp = Apache::TestRequest::hostport();
    my $raw = raw_http($hp, "GET http://$hp/vis/e/abs%3Fx?q=1 HTTP/1.0\r\nHost: $hp\r\n\r\n");
    $ret = uri_unescape((($raw && $raw->header('Location')) // '') =~ /return_to=([^&]*)/ ? $1 : '');
    like $ret, qr{^\Q$BASE\E/vis/e/abs%3Fx\?q=1&jwtsso_state=}, '7 absolute-form request line: the path of it';
}

# ================================================================ 8. JWTSSODebug at start-up
{
    my $loc = sub {
        "<Location /d>\n AuthType jwtsso\n AuthName \"t\"\n JWTSSOSecret \"jwtsso-test-secret-0123456789abcdefghij\"\n"
        . " JWTSSOAuthEndpoint https://idp.example.test/login\n Session On\n SessionCookieName s path=/\n"
        . " Require valid-user\n $_[0]\n</Location>\n";
    };
    config_bad('JWTSSODebug maybe', $loc->('JWTSSODebug maybe'), [qr/JWTSSODebug must be On or Off/]);
    config_ok('JWTSSODebug ON', $loc->('JWTSSODebug ON'));
}
