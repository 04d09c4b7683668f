# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# JWTSSOVerifyJWKS https://URL (src/httpd/jwksurl.c), against a JWKS server
# of the test's own (t/bin/jwks-server.js: node's https, a CA and server
# certificate made here with openssl, a hit counter, keys and failures
# switched by rewriting a file). httpd servers of their own, since the
# URL must be up (or deliberately down) when httpd starts:
#   1. start-up: one fetch for the whole server (not one per child);
#      'httpd -t' fetches nothing;
#   2. a login and a bearer token with the served key (kid a);
#   3. the IdP rotates to kid b: a token with kid b is accepted after one
#      unknown-kid refetch; the session made with kid a survives; the
#      bearer token of kid a, cached before, is refused now;
#   4. a flood of forged kids: no fetch (at most one a minute per URL);
#   5. JWTSSOJWKSRefresh 60: the scheduled refetch happens with no request;
#      it fails (HTTP 500): logged with the URL, the last good keys kept;
#      a refetch that brings garbage is logged with the JSON line/column;
#   6. fetches that fail at start-up (no CA file for a private CA, nothing
#      listening, too big, a redirect to http, garbage, 500, too slow, a
#      shared secret published as a key):
#      httpd starts, each is logged at error with the URL and curl's
#      reason, and tokens are refused (no_key), never accepted;
#   7. httpd -t refuses a value that is no URL and no file, http:// to a
#      remote host, another scheme, a missing CA file, a refresh out of
#      range; it accepts http:// to 127.0.0.1.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use File::Temp ();
use Time::HiRes ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
plan skip_all => 'no openssl command' unless system('openssl version >/dev/null 2>&1') == 0;

my $TOP = top_dir();
my $D = File::Temp::tempdir('jwtsso-jwks-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{JWTSSO_KEEP_TMP});
my $SESSION_KEY = 'JWTSSOSessionKey "jwks-url-test-session-key-0123456789abcdef"';

sub run_ok {
    my @cmd = @_;
    my $out = `@cmd 2>&1`;
    die "@cmd: $out" if $?;
}

# ---- the CA, the server certificate (127.0.0.1), the JWKS server
run_ok("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
       . " -keyout $D/ca.key -out $D/ca.crt -days 2 -subj '/CN=jwtsso test CA'"
       . " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
run_ok("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
       . " -keyout $D/server.key -out $D/server.csr -subj '/CN=127.0.0.1'");
open my $ext, '>', "$D/ext.cnf" or die $!;
print $ext "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
         . "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n";
close $ext;
run_ok("openssl x509 -req -in $D/server.csr -CA $D/ca.crt -CAkey $D/ca.key"
       . " -CAcreateserial -out $D/server.crt -days 2 -extfile $D/ext.cnf");

sub jwks {
    my ($file, %kids) = @_;
    run_ok('node', "$TOP/t/bin/mkjwks.js", "$D/$file.tmp",
           map { "$_=" . pub_key_file($kids{$_}) } sort keys %kids);
    rename "$D/$file.tmp", "$D/$file" or die $!;
}
sub set_mode {
    open my $m, '>', "$D/mode.tmp" or die $!;
    print $m "$_[0]\n";
    close $m;
    rename "$D/mode.tmp", "$D/mode" or die $!;
}
sub hits {
    open my $h, '<', "$D/hits" or return 0;
    my @l = <$h>;
    return scalar @l;
}
sub wait_hits {
    my ($n, $timeout) = @_;
    my $until = Time::HiRes::time() + $timeout;
    Time::HiRes::sleep(0.2) while hits() < $n && Time::HiRes::time() < $until;
    return hits();
}

jwks('jwks.json', a => 'rsa-a');
set_mode('ok');
my $server = fork // die "fork: $!";
if (!$server) {
    open STDOUT, '>>', "$D/server.log";
    open STDERR, '>&', \*STDOUT;
    exec 'node', "$TOP/t/bin/jwks-server.js", $D or POSIX::_exit(127);
}
my $until = Time::HiRes::time() + 10;
Time::HiRes::sleep(0.05) until -s "$D/port" || Time::HiRes::time() > $until;
my $PORT = -s "$D/port" ? do { chomp(my $p = slurp("$D/port")); $p } : 0;
END { if ($server) { kill 'TERM', $server; waitpid $server, 0 } }
plan skip_all => 'the JWKS server did not start: ' . (-e "$D/server.log" ? slurp("$D/server.log") : '')
    unless $PORT;

plan tests => 81;

my $URL = "https://127.0.0.1:$PORT/jwks.json";
my %KEY = map { $_ => 'file:' . key_file($_) } qw(rsa-a rsa-b rsa-c);

# Each token its own: RS256 is deterministic, so the same payload signed
# in the same second would be a token already consumed (a replay, or a
# login token offered as a bearer) and refused for that, not for its key.
my $serial = 0;
sub token {
    my ($key, $kid, $sub, %o) = @_;
    my ($t) = sign_tokens('jsonwebtoken', { alg => 'RS256', key => $KEY{$key},
                                            header => { kid => $kid },
                                            payload => { sub => $sub, n => ++$serial }, %o });
    return $t;
}
sub location {
    my ($path, $url, %o) = @_;
    my $ca = $o{ca} // 1 ? "    JWTSSOJWKSCAFile $D/ca.crt\n" : '';
    my $refresh = $o{refresh} ? "    JWTSSOJWKSRefresh $o{refresh}\n" : '';
    return <<"EOC";
<Location $path>
    AuthType jwtsso
    AuthName "jwks-url"
    JWTSSOAuthEndpoint https://idp.example.test/login
    JWTSSOVerifyJWKS $url
$ca$refresh    $SESSION_KEY
    JWTSSOState Off
    JWTSSOAcceptBearer On
    Session On
    SessionCookieName jwtsso_session path=/;httponly
    SessionMaxAge 0
    Require valid-user
</Location>
EOC
}
sub since {
    my ($h, $mark, $re, $timeout) = @_;
    return log_since($h->{error_log}, $mark, $re, $timeout);
}
sub login {
    my ($h, $token) = @_;
    my ($res, $ua) = present_at($h->{base}, '/app/', $token);
    return ($res, $ua);
}
sub user_of {
    my ($h, $ua) = @_;
    my $res = $ua->get("$h->{base}/app/");
    return $res->code == 200 ? app_vars($res)->{REMOTE_USER} // '' : 'HTTP ' . $res->code;
}

# ---- 7 first (quick): httpd -t
config_bad('a URL with one slash', "JWTSSOVerifyJWKS https:/idp.example.test/jwks.json\n",
           [ qr/JWTSSOVerifyJWKS: 'https:\/idp\.example\.test\/jwks\.json' is not a URL we can fetch; write it as https:\/\// ]);
config_bad('http:// to a remote host', "JWTSSOVerifyJWKS http://idp.example.test/jwks.json\n",
           [ qr/JWTSSOVerifyJWKS: 'http:\/\/idp\.example\.test\/jwks\.json' is plain http: [^\n]*use https:\/\// ]);
config_bad('another scheme', "JWTSSOVerifyJWKS ftp://idp.example.test/jwks.json\n",
           [ qr/JWTSSOVerifyJWKS: 'ftp:[^\n]*only https:\/\/ URLs are fetched/ ]);
config_bad('neither a URL nor a file', "JWTSSOVerifyJWKS $D/no-such-jwks.json\n",
           [ qr/JWTSSOVerifyJWKS: cannot read \Q$D\E\/no-such-jwks\.json \(No such file or directory\); make the file exist and readable by the user that starts httpd, or write the IdP's JWKS URL \(e\.g\. https:\/\// ]);
config_bad('a missing CA file', "JWTSSOJWKSCAFile $D/no-such-ca.pem\n",
           [ qr/JWTSSOJWKSCAFile: cannot read \Q$D\E\/no-such-ca\.pem \(No such file or directory\)/ ]);
config_bad('a CA file that holds no certificate', "JWTSSOJWKSCAFile $D/server.csr\n",
           [ qr/JWTSSOJWKSCAFile: \Q$D\E\/server\.csr holds no PEM certificate/ ]);
config_bad('a refresh under a minute', "JWTSSOJWKSRefresh 10\n",
           [ qr/JWTSSOJWKSRefresh: '10' is not a whole number of seconds from 60 to 86400/ ]);
{
    my $before = hits();
    config_ok('http:// to 127.0.0.1, and the live URL', location('/app/', 'http://127.0.0.1:1/jwks.json')
              . location('/app/two/', $URL));
    is hits(), $before, 'httpd -t fetched nothing';
}

# ---- 1-5: a server that fetches the live URL
my $h = httpd_start(location('/app/', $URL, refresh => 60));
my $t0 = Time::HiRes::time();
is wait_hits(1, 5), 1, 'start-up: the JWKS was fetched';
like since($h, 0, qr/JWTSSO01101/), qr/JWTSSO01101: fetched 1 key\(s\) from \Q$URL\E \(a new set\)/,
     'start-up: the fetch is logged (notice) with the URL and the key count';
Time::HiRes::sleep(1.5);
is hits(), 1, 'one fetch for the whole server, not one per child';

my $tok_a = token('rsa-a', 'a', 'alice');
my ($res, $ua_a) = login($h, $tok_a);
is $res->code, 302, 'kid a: login accepted (302)' or diag $res->as_string;
is user_of($h, $ua_a), 'alice', 'kid a: the session gives REMOTE_USER alice';

# a login token is one-time: the bearer is another token
my $bearer_a = token('rsa-a', 'a', 'alice');
my $bua = ua(keep_alive => 1, cookie_jar => undef);
my $mark = log_mark($h->{error_log});
for (1 .. 2) {
    $res = $bua->get("$h->{base}/app/", Authorization => "Bearer $bearer_a");
    is $res->code, 200, "kid a: bearer request $_ accepted";
}
like since($h, $mark, qr/JWTSSO00421/), qr/JWTSSO00421: bearer token of user 'alice' verified before/,
     'kid a: the second bearer request was a cache hit';

# 3. rotation
jwks('jwks.json', b => 'rsa-b');
$mark = log_mark($h->{error_log});
my $tok_b = token('rsa-b', 'b', 'bob');
($res, my $ua_b) = login($h, $tok_b);
is $res->code, 302, 'rotation: a token with the new kid b is accepted (302)' or diag $res->as_string;
is user_of($h, $ua_b), 'bob', 'rotation: its session gives REMOTE_USER bob';
is hits(), 2, 'rotation: exactly one refetch';
my $log = since($h, $mark, qr/JWTSSO01101/);
like $log, qr/JWTSSO01109: kid 'b' is not among the keys from \Q$URL\E: fetching them again/,
     'rotation: the unknown-kid refetch is logged (info)';
like $log, qr/JWTSSO01101: fetched 1 key\(s\) from \Q$URL\E \(a new set\)/, 'rotation: the new set is logged';
is user_of($h, $ua_a), 'alice', 'rotation: the session made with kid a is still valid';
$mark = log_mark($h->{error_log});
$res = $bua->get("$h->{base}/app/", Authorization => "Bearer $bearer_a");
is $res->code, 401, 'rotation: the bearer token of kid a, cached before, is refused now';
$log = since($h, $mark, qr/refused/);
unlike $log, qr/JWTSSO00421/, 'rotation: no bearer cache hit for it';
like $log, qr/bearer token refused: unknown_kid/, 'rotation: refused as unknown_kid';
my $fresh_a = token('rsa-a', 'a', 'alice');
($res) = login($h, $fresh_a);
is $res->code, 401, 'rotation: a new login token of the retired kid a is refused';

# 4. a flood of forged kids
$mark = log_mark($h->{error_log});
my @forged = sign_tokens('jsonwebtoken', map { { alg => 'RS256', key => $KEY{'rsa-c'},
    header => { kid => "forged-$_" }, payload => { sub => 'mallory' } } } 1 .. 30);
my $refused = 0;
my $fua = ua(keep_alive => 1, cookie_jar => undef);
for my $t (@forged) {
    $refused++ if $fua->get("$h->{base}/app/", Authorization => "Bearer $t")->code == 401;
}
is $refused, 30, 'flood: 30 tokens with forged kids, all refused';
is hits(), 2, 'flood: no fetch (the last unknown-kid fetch was less than a minute ago)';
like since($h, $mark, qr/JWTSSO01110/), qr/JWTSSO01110: kid 'forged-\d+' is not among the keys from \Q$URL\E, which were fetched again less than a minute ago: not fetched again/,
     'flood: each is logged (debug) as not fetched again';

# 5. the schedule (60 s after the last fetch), failing
set_mode('500');
$mark = log_mark($h->{error_log});
diag 'waiting for the scheduled refresh (JWTSSOJWKSRefresh 60)...';
is wait_hits(3, 75), 3, 'schedule: refetched with no request';
$log = since($h, $mark, qr/JWTSSO01102/, 5);
like $log, qr/JWTSSO01102: cannot fetch the JWKS from \Q$URL\E: the server answered HTTP status 500, not 200; keeping the keys fetched at /,
     'schedule: the failure is logged with the URL and the status, the keys kept';
like $log, qr/\[auth_jwtsso:error\][^\n]*JWTSSO01102/, 'schedule: at level error';
($res, my $ua_b2) = login($h, token('rsa-b', 'b', 'bob'));
is $res->code, 302, 'schedule: the last good keys are kept (kid b still accepted)';
is user_of($h, $ua_b), 'bob', 'schedule: the session of kid b is still valid';

set_mode('garbage');
$mark = log_mark($h->{error_log});
($res) = login($h, token('rsa-c', 'c', 'carol'));
is $res->code, 401, 'garbage: a token with an unknown kid c is refused';
is hits(), 4, 'garbage: one unknown-kid refetch (a minute after the last)';
$log = since($h, $mark, qr/JWTSSO01102/, 5);
like $log, qr/JWTSSO01102: cannot fetch the JWKS from \Q$URL\E: not a usable JWKS: [^\n]*: line 2, column \d+: [^\n]*; keeping the keys/,
     'garbage: logged with the JSON line and column';
($res) = login($h, token('rsa-b', 'b', 'bob'));
is $res->code, 302, 'garbage: kid b still accepted';
my $whole = slurp($h->{error_log});
ok !grep({ index($whole, $_) >= 0 } $tok_a, $tok_b, $bearer_a), 'no token in the error log';
ok !crash_lines($whole), 'no crash' or diag join "\n", crash_lines($whole);
ok httpd_stop($h), 'the server stops';

# ---- 6: fetches that fail at start-up
my $dead = free_port();
my %BAD = (
    nca      => [ "$URL?mode=ok&nca=1", qr/SSL certificate problem[^\n]*; no keys from it yet: every token checked against it is refused \(no key\)[^\n]*set JWTSSOJWKSCAFile/, ca => 0 ],
    down     => [ "https://127.0.0.1:$dead/jwks.json", qr/(?i:connect)[^\n]*\(curl error 7\); no keys from it yet/ ],
    big      => [ "$URL?mode=big", qr/the answer is larger than 1048576 bytes/ ],
    redirect => [ "$URL?mode=redirect-http", qr/curl error 1\b|[Pp]rotocol[^\n]*not supported/ ],
    garbage  => [ "$URL?mode=garbage", qr/not a usable JWKS: [^\n]*line 2, column \d+/ ],
    status   => [ "$URL?mode=500", qr/HTTP status 500/ ],
    oct      => [ "$URL?mode=oct", qr/the JWKS holds a shared secret \(kty "oct"\)/ ],
    slow     => [ "$URL?mode=slow", qr/timed out[^\n]*\(curl error 28\)/ ],
);
my $conf = '';
for my $name (sort keys %BAD) {
    my ($url, undef, %o) = @{ $BAD{$name} };
    $conf .= location("/app/$name/", $url, %o);
}
my $b0 = hits();
my $h2 = httpd_start($conf);
my $slog = since($h2, 0, qr/mode=slow[^\n]*curl error 28/, 10);
for my $name (sort keys %BAD) {
    my ($url, $re) = @{ $BAD{$name} };
    like $slog, qr/\[auth_jwtsso:error\][^\n]*JWTSSO01103: cannot fetch the JWKS from \Q$url\E: [^\n]*$re/,
         "start-up, $name: httpd started, the failure logged at error with the URL and why";
}
for my $name (qw(nca down garbage)) {
    $mark = log_mark($h2->{error_log});
    ($res) = present_at($h2->{base}, "/app/$name/", token('rsa-a', 'a', 'alice'));
    is $res->code, 401, "start-up, $name: no keys: a token is refused, never accepted";
    like since($h2, $mark, qr/token refused/), qr/token refused: no_key/, "start-up, $name: refused as no_key";
}
$whole = slurp($h2->{error_log});
ok !crash_lines($whole), 'no crash' or diag join "\n", crash_lines($whole);
ok httpd_stop($h2), 'the second server stops';
