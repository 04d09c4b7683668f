use strict;
use warnings FATAL => 'all';

# The per-child cache of verified bearer tokens (JWTSSOBearerCache,
# JWTSSOBearerCacheSize) through the running httpd:
#   1. a repeated RS256/ES256 bearer is verified once per child, then taken
#      from the cache (JWTSSO00421 at debug), with the same user and claims;
#   2. a cached token is no login where the policy differs (another
#      audience), and a token one bit off is never a cache hit;
#   3. the cache never outlives the token: at its exp it is refused;
#   4. JWTSSOBearerCache Off: never cached; HMAC tokens are, like the rest;
#   5. start-up: JWTSSOBearerCacheSize only in the main server, a number.
# One keep-alive connection per scenario, so every request of it reaches
# the same child (each child has its own cache).
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

my ($rs, $es, $aud1, $short, $hs) = sign_tokens('jose',
    job('RS256', 'rsa-a', 'cache-rs', payload => { role => 'reader', groups => ['x', 'y'] }),
    job('ES256', 'ec256', 'cache-es'),
    job('RS256', 'rsa-a', 'cache-aud', payload => { aud => 'app-one' }),
    job('RS256', 'rsa-a', 'cache-short', exp => '3s'),
    job('HS256', secret('main'), 'cache-hs'));

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
    my $first = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $short");
    my $second = $ua->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $short");
    is $first->code, 200, '3: a token with exp in 3 s: 200';
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
            . "    Session On\n    Require valid-user\n</Location>\n";
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

# the server still answers, and no child crashed
isnt ua()->get("$BASE/app/pk/bearer/x", Authorization => "Bearer $rs")->code, 500, 'the server still answers';
is_deeply [ crash_lines(scalar error_log_since($START)) ], [], 'no child crashed (error_log)';

done_testing();
