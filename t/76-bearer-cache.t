# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The per-child cache of verified bearer tokens (JWTSSOBearerCache,
# JWTSSOBearerCacheSize) and its memory of recent refusals, through the
# running httpd. A hit is seen in the log: JWTSSO00421 (debug) for a
# verified token, "refused here moments ago, not verified again" for a
# refusal; every check below counts them exactly, so a cache that never
# answers, answers too often, forgets the claims or outgrows its bound
# fails here.
#   1. a repeated RS256/ES256 bearer is verified once per child, then taken
#      from the cache, with the same user and the same variables;
#   2. a cached token is no login where the policy differs (another
#      audience), and a token one bit off is never a cache hit;
#   3. the cache never outlives the token: at its exp it is refused;
#   4. JWTSSOBearerCache Off: never cached; HMAC tokens are, like the rest;
#   5. start-up: JWTSSOBearerCacheSize only in the main server, a number;
#   6. claims left out (JWTSSO_CLAIMS_TRUNCATED=1) stay left out on a hit;
#   7. an httpd of its own with JWTSSOBearerCacheSize 16: exactly 16 tokens
#      kept, the least recently used one pushed out first; refusals kept
#      apart (512, least recently used first, 10 s), so a flood of forged
#      tokens pushes out no verified one;
#   8. an httpd with JWTSSOBearerCacheSize 0: no hit, no refusal remembered.
# One keep-alive connection per scenario, so every request of it reaches
# the same child (each child has its own cache); 7 and 8 check it from the
# log's pids.
#
# Scenarios (t/conf/jwtsso.conf.in): /app/pk/bearer (rsa-a from /app/pk/,
# JWTSSOClockSkew 0), /app/pk/bearer-aud (JWTSSOAudience app-two),
# /app/pk/bearer-nocache (JWTSSOBearerCache Off), /app/pk/bearer-mixed
# (rsa-a and the main secret).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JSON::PP ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $BASE = base_url();
my %KEY = map { $_ => 'file:' . key_file($_) } qw(rsa-a ec256);
my $START = error_log_mark();
my $HIT = qr/JWTSSO00421: bearer token of user '([^']*)' verified before/;

sub job {
    my ($alg, $key, $sub, %o) = @_;
    return { alg => $alg, key => $KEY{$key} // $key,
             payload => { sub => $sub, %{ $o{payload} || {} } },
             (exists $o{exp} ? (exp => $o{exp}) : ()) };
}

# n GETs of $path with the bearer on one keep-alive connection: the
# responses, and the users of the cache hits logged meanwhile.
sub bearer_n {
    my ($path, $token, $n) = @_;
    my $ua = ua(keep_alive => 1, cookie_jar => undef);
    my $mark = error_log_mark();
    my @res = map { $ua->get("$BASE$path", Authorization => "Bearer $token") } 1 .. $n;
    my $log = error_log_since($mark);
    my @hits = $log =~ /$HIT/g;
    return (\@res, \@hits, $log);
}

# What the app is given: REMOTE_USER and the JWTSSO variables.
sub app_env {
    my $v = app_vars(shift->content);
    return { map { $_ => $v->{$_} } grep { /^(?:REMOTE_USER|AUTH_TYPE|JWTSSO_)/ } keys %$v };
}

my ($rs, $es, $aud1, $hs, $big) = sign_tokens('jose',
    job('RS256', 'rsa-a', 'cache-rs', payload => { role => 'reader', groups => ['x', 'y'] }),
    job('ES256', 'ec256', 'cache-es'),
    job('RS256', 'rsa-a', 'cache-aud', payload => { aud => 'app-one' }),
    job('HS256', secret('main'), 'cache-hs'),
    job('RS256', 'rsa-a', 'cache-big', payload => { a1 => 'x' x 1000, a2 => 'y' x 1000, zz => 'last' }));

# ---------------------------------------------------------------- 1. hits
{
    my ($res, $hits, $log) = bearer_n('/app/pk/bearer/x', $rs, 4);
    is scalar(grep { $_->code == 200 } @$res), 4, '1: RS256 bearer 4 times on one connection: 200 each'
        or diag $res->[-1]->as_string;
    is scalar(@$hits), 3, '1: verified once, then 3 times from the cache (JWTSSO00421)' or diag $log;
    is_deeply [ sort keys %{{ map { $_ => 1 } @$hits }} ], ['cache-rs'], '1: the hits name the token\'s user';
    for my $i (0, 3) {
        my $v = app_vars($res->[$i]->content);
        is $v->{REMOTE_USER}, 'cache-rs', "1: request $i: REMOTE_USER from the token";
        is $v->{JWTSSO_CLAIM_ROLE}, 'reader', "1: request $i: JWTSSO_CLAIM_ROLE";
        is $v->{JWTSSO_CLAIM_GROUPS}, 'x,y', "1: request $i: JWTSSO_CLAIM_GROUPS joined";
        like $v->{JWTSSO_CLAIMS} // '', qr/"role":"reader"/, "1: request $i: JWTSSO_CLAIMS";
    }
    is_deeply app_env($res->[3]), app_env($res->[0]),
        '1: the app sees the same variables from the cache as from the verification';
    ok !exists app_vars($res->[3]->content)->{JWTSSO_CLAIMS_TRUNCATED}, '1: no JWTSSO_CLAIMS_TRUNCATED when all claims fit';
    is_deeply [ map { scalar(() = $_->header('Set-Cookie')) } @$res ], [0, 0, 0, 0],
        '1: no session written, cached or not';
}
{
    # /app/pk/bearer holds only rsa-a: an ES256 token is refused each time
    my ($res, $hits) = bearer_n('/app/pk/bearer/x', $es, 3);
    is_deeply [ map { $_->code } @$res ], [401, 401, 401], '1: ES256 with no EC key: 401 each time';
    is scalar(@$hits), 0, '1: a refused token is never cached';
}

# ---------------------------------------------------------------- 2. policy and bits
{
    my $ua = ua(keep_alive => 1, cookie_jar => undef);
    my $mark = error_log_mark();
    my $ok = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $aud1");
    my $again = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $aud1");
    my $other = $ua->get("$BASE/app/pk/bearer-aud/x", Authorization => "Bearer $aud1");
    is $ok->code, 200, '2: aud app-one at /app/pk/bearer (no audience required): 200';
    is $again->code, 200, '2: again: 200';
    is $other->code, 401, '2: the same token where JWTSSOAudience is app-two: 401, the cache notwithstanding';
    my $log = error_log_since($mark);
    like $log, qr/JWTSSO@{[reason_tag('bad_audience')]}: bearer token refused: bad_audience/, '2: refused for its audience';
    is scalar(() = $log =~ /$HIT/g), 1, '2: one cache hit, at /app/pk/bearer only';

    # every bit of the signature's last byte, and one of the payload
    my @bad = map { flip_bit($aud1, 2, -1, $_) } 0 .. 7;
    push @bad, flip_bit($aud1, 1, 3, 0);
    my $mark2 = error_log_mark();
    my @codes = map { $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $_")->code } @bad;
    is_deeply \@codes, [ (401) x @bad ], '2: the cached token with one bit flipped: 401 every time';
    is scalar(() = error_log_since($mark2) =~ /$HIT/g), 0, '2: no flipped token is a cache hit';
}

# ---------------------------------------------------------------- 3. never past exp
{
    my $ua = ua(keep_alive => 1, cookie_jar => undef);
    my $mark = error_log_mark();
    # signed here, not with the others: the sections before may take
    # seconds (a sanitizer build)
    my ($short) = sign_tokens('jose', job('RS256', 'rsa-a', 'cache-short', exp => '5s'));
    my $first = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $short");
    my $second = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $short");
    is $first->code, 200, '3: a token with exp in 5 s: 200';
    is $second->code, 200, '3: again (cached): 200';
    my ($exp) = JSON::PP->new->decode(b64url_decode((split /\./, $short)[1]))->{exp};
    sleep 1 while time() < $exp + 1;
    my $late = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $short");
    is $late->code, 401, '3: past its exp (no clock skew here): 401, not the cached verdict';
    my $log = error_log_since($mark);
    like $log, qr/JWTSSO@{[reason_tag('expired')]}: bearer token refused: expired/, '3: refused as expired';
    is scalar(() = $log =~ /$HIT/g), 1, '3: the cache answered only before the exp';
}

# ---------------------------------------------------------------- 4. not cached
{
    my ($res, $hits) = bearer_n('/app/pk/bearer-nocache/x', $rs, 3);
    is_deeply [ map { $_->code } @$res ], [200, 200, 200], '4: JWTSSOBearerCache Off: 200 each time';
    is scalar(@$hits), 0, '4: JWTSSOBearerCache Off: verified each time';
}
{
    my ($res, $hits) = bearer_n('/app/pk/bearer-mixed/x', $hs, 3);
    is_deeply [ map { $_->code } @$res ], [200, 200, 200], '4: HS256 where public keys are too: 200 each time';
    is scalar(@$hits), 2, '4: HS256: cached as well (verified once)';
    is_deeply [ map { app_vars($_->content)->{REMOTE_USER} } @$res ], [ ('cache-hs') x 3 ],
        '4: HS256: the same REMOTE_USER verified and cached';
    my ($res2, $hits2) = bearer_n('/app/pk/bearer-mixed/x', $rs, 3);
    is scalar(@$hits2), 2, '4: RS256 in the same section: cached';
}

# ---------------------------------------------------------------- 5. start-up
{
    my $loc = "<Location /app>\n    AuthType jwtsso\n    AuthName t\n"
            . "    JWTSSOAuthEndpoint https://idp.example.test/login\n"
            . "    JWTSSOSecret \"" . secret('main') . "\"\n"
            . "    Session On\n    SessionCookieName jwtsso_session path=/\n"
            . "    Require valid-user\n</Location>\n";
    config_ok('JWTSSOBearerCacheSize 4096', "JWTSSOBearerCacheSize 4096\n$loc");
    config_ok('JWTSSOBearerCacheSize 0 (no cache)', "JWTSSOBearerCacheSize 0\n$loc");
    config_ok('JWTSSOBearerCache Off in a section', $loc =~ s/(Require)/JWTSSOBearerCache Off\n    $1/r);
    for my $bad ('8', 'lots', '-1', '99999999999999999999', '2000000') {
        config_bad("JWTSSOBearerCacheSize $bad", "JWTSSOBearerCacheSize $bad\n$loc",
                   [ qr/JWTSSOBearerCacheSize takes a number of tokens, 0 \(no cache\) or from 16 to 1048576/ ]);
    }
    config_bad('JWTSSOBearerCacheSize in a <Location>',
               $loc =~ s/(Require)/JWTSSOBearerCacheSize 64\n    $1/r,
               [ qr/JWTSSOBearerCacheSize.*not allowed|JWTSSOBearerCacheSize cannot occur/ ]);
}

# ---------------------------------------------------------------- 6. claims left out
{
    my ($res, $hits, $log) = bearer_n('/app/pk/bearer/x', $big, 2);
    is_deeply [ map { $_->code } @$res ], [200, 200], '6: a token with 2 KB of claims: 200 twice';
    is_deeply $hits, ['cache-big'], '6: the second from the cache' or diag $log;
    is scalar(() = $log =~ /JWTSSO00422: claims of a bearer token not passed on/g), 1,
        '6: JWTSSO00422 once: the claims view made at the verification only';
    my ($v0, $v1) = map { app_vars($_->content) } @$res;
    is $v0->{JWTSSO_CLAIMS_TRUNCATED}, '1', '6: verified: JWTSSO_CLAIMS_TRUNCATED=1';
    is $v1->{JWTSSO_CLAIMS_TRUNCATED}, '1', '6: cached: JWTSSO_CLAIMS_TRUNCATED=1 still';
    is_deeply app_env($res->[1]), app_env($res->[0]), '6: cached: the same variables as verified';
}

# ---------------------------------------------------------------- 7. bounds
# Requests to an httpd of our own, all on one connection ($ua, kept alive
# throughout): the statuses, the users of the cache hits and, per refusal
# in order, whether it came from the memory of refusals.
my $REMEMBERED = qr/; refused here moments ago, not verified again\)$/;
sub own_run {
    my ($h, $ua, @tokens) = @_;
    my $mark = log_mark($h->{error_log});
    my @codes = map { $ua->get("$h->{base}/app/x", Authorization => "Bearer $_")->code } @tokens;
    my $log = log_since($h->{error_log}, $mark);
    my @hits = $log =~ /$HIT/g;
    my @refused = map { /$REMEMBERED/ ? 1 : 0 } grep { /JWTSSO00213: bearer token refused: bad_signature/ }
                  split /\n/, $log;
    return (\@codes, \@hits, \@refused, $log);
}
sub pids { my %p = map { $_ => 1 } $_[0] =~ /\[pid (\d+)[:\]].*JWTSSO\d+/g; return sort keys %p }

my $OWN_LOC = jwtsso_location(path => '/app/',
                              extra => "    JWTSSOAcceptBearer On\n    JWTSSOUnauthAction 401\n");
my $OWN_CONF = "MaxKeepAliveRequests 0\nKeepAliveTimeout 60\n$OWN_LOC";
my @httpds;
END { httpd_stop($_) for @httpds }
{
    my @t = sign_tokens('jose', map { job('HS256', secret('main'), "lru-$_") } 0 .. 16);
    # 514 tokens refused at the signature, and one more for the 10 s
    my @f = sign_tokens('jose', map { job('HS256', 'not-the-secret-' . ('z' x 32), "forged-$_") } 0 .. 513);
    my $g = flip_bit($t[0], 2, -1, 0);
    my $h = httpd_start("JWTSSOBearerCacheSize 16\n$OWN_CONF");
    push @httpds, $h;
    my $ua = ua(keep_alive => 1, cookie_jar => undef);
    my $all = log_mark($h->{error_log});

    # refusals: their own 512 entries, least recently used out first
    my ($codes, $hits, $refused, $log) =
        own_run($h, $ua, @f[0 .. 511], $f[0], $f[512], $f[0], $f[1], $f[3], $f[2]);
    is_deeply $codes, [ (401) x 518 ], '7: 513 forged tokens: 401 each';
    is_deeply $refused, [ (0) x 512, 1, 0, 1, 0, 1, 0 ],
        '7: refusals remembered: F0 after 511 others (512 kept), F0 after a 513th, F3; not F1, F2 (pushed out)';

    # 16 tokens fill the cache; T0 used again, then a 17th token pushes out
    # the least recently used (T1, not T0); T1 again pushes out T2.
    ($codes, $hits, undef, $log) = own_run($h, $ua, @t[0 .. 15], $t[0], $t[16], $t[0], $t[1], $t[3], $t[2]);
    is_deeply $codes, [ (200) x 22 ], '7: JWTSSOBearerCacheSize 16: 22 requests with 17 tokens: 200 each';
    is_deeply $hits, ['lru-0', 'lru-0', 'lru-3'],
        '7: hits: T0 after 15 others (16 kept), T0 after a 17th (least recently used out first), T3; not T1, T2 (pushed out)'
        or diag $log;

    # one more forged token, for the 10 s of the memory of refusals; the
    # requests from here to the check it is still there take well under 10 s
    ($codes, undef, $refused, $log) = own_run($h, $ua, $g, $g);
    my $g_at = time;
    is_deeply $codes, [401, 401], '7: a forged token twice: 401';
    is_deeply $refused, [0, 1], '7: refused at its signature, then from the memory of refusals' or diag $log;

    ($codes, $hits, $refused) = own_run($h, $ua, @f[0 .. 31], $t[0], $t[16], $g);
    is_deeply $hits, ['lru-0', 'lru-16'], '7: 32 forged tokens refused: no verified one pushed out (refusals kept apart)';
    is $refused->[-1], 1, '7: the forged token of a few seconds ago: still remembered';

    sleep 1 while time < $g_at + 11;
    ($codes, undef, $refused, $log) = own_run($h, $ua, $g, $g);
    is_deeply $refused, [0, 1], '7: the forged token 10 s later: verified again (forgotten), then remembered' or diag $log;
    my @pids = pids(scalar log_since($h->{error_log}, $all));
    is scalar(@pids), 1, '7: every request reached the same child' or diag "pids @pids";
    is_deeply [ crash_lines(scalar log_since($h->{error_log}, 0)) ], [], '7: no child crashed';
    httpd_stop($h);
}

# ---------------------------------------------------------------- 8. no cache
{
    my ($t) = sign_tokens('jose', job('HS256', secret('main'), 'nocache'));
    my $f = flip_bit($t, 2, -1, 0);
    my $h = httpd_start("JWTSSOBearerCacheSize 0\n$OWN_CONF");
    push @httpds, $h;
    my $ua = ua(keep_alive => 1, cookie_jar => undef);
    my ($codes, $hits, $refused, $log) = own_run($h, $ua, $t, $t, $t, $f, $f, $f);
    is_deeply $codes, [200, 200, 200, 401, 401, 401], '8: JWTSSOBearerCacheSize 0: the verdicts as with a cache';
    is_deeply $hits, [], '8: JWTSSOBearerCacheSize 0: no hit' or diag $log;
    is_deeply $refused, [0, 0, 0], '8: JWTSSOBearerCacheSize 0: no refusal remembered' or diag $log;
    my @pids = pids($log);
    is scalar(@pids), 1, '8: every request reached the same child' or diag "pids @pids";
    httpd_stop($h);
}

# the main server still answers, and no child crashed
{
    my $res = ua()->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $rs");
    is $res->code, 200, 'the main server still answers with the cached token';
    is app_vars($res->content)->{REMOTE_USER}, 'cache-rs', '... as its user';
}
is_deeply [ crash_lines(scalar error_log_since($START)) ], [], 'no child crashed (error_log)';

done_testing();
