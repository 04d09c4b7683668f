# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Bounds that must hold for every configuration, attacked through the
# running httpd (issue 11, items 5 and 7):
#
# - Memory: with JWTSSOUserClaim iss (or jti) the user claim is also the
#   claim the replay cache keys on. The core decoded it twice into a
#   strings area sized for one copy: a signed token with a long jti
#   overflowed the heap (the child crashed). Such tokens must get the
#   answer the rules give (302 and a login, or 401), never a crash or 500.
# - Work: a token without kid was checked against every key of its kind;
#   against a JWKS of 100 EC keys a forged ES256 token cost 100 signature
#   checks. Now at most JWTSSOMaxKeysWithoutKid (default 4) keys are tried,
#   and with more a token without kid is refused before any signature
#   check: kid_required (JWTSSO00229). A token with the kid of a key is
#   checked with that key alone. A refusal at the signature step is
#   remembered by the child for a few seconds (the same log line and tag,
#   marked "not verified again").
#
# Scenarios (t/conf/jwtsso.conf.in): /app/user-iss, /app/user-jti (the main
# secret, JWTSSOState Off); /app/pk/many (t/data/jwks-ec100.json: 100 EC
# P-256 keys, kids ec-00 .. ec-99; t/data/jwks-ec100-57.pem is the private
# key of ec-57; both made once by t/bin/mkmanykeys.js); /app/pk/onekey
# (rsa-a and rsa-b without kid, JWTSSOMaxKeysWithoutKid 1); /app/pk/jwks
# (three keys with kids, one of them EC).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Spec ();
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $MAIN = secret('main');
my $START = error_log_mark();
my $DATA = File::Spec->catdir(top_dir(), 't', 'data');
my $JWKS = "$DATA/jwks-ec100.json";
my $EC57 = "file:$DATA/jwks-ec100-57.pem";

# job(ALG, KEY, SUB, header => {...}, payload => {...}) for sign_tokens
sub job {
    my ($alg, $key, $sub, %o) = @_;
    return { alg => $alg, key => $key, payload => { sub => $sub, %{ $o{payload} || {} } },
             ($o{header} ? (header => $o{header}) : ()) };
}

sub hs {
    my %p = @_;
    return raw_token(secret => $MAIN, payload => { iat => time(), %p });
}

# ------------------------------------------------------------------ one claim in two roles

{
    # a user of 255 bytes (the longest allowed) and a 4000-byte claim beside
    # it: the second copy of the user claim used to run past the area
    my $iss = 'https://idp.test/' . ('i' x 238);
    is length($iss), 255, 'the issuer is 255 bytes';
    my $mark = error_log_mark();
    token_accepted('JWTSSOUserClaim iss, a 4000-byte jti', '/app/user-iss/x',
                   hs(sub => 'alice', iss => $iss, jti => 'j' x 4000), $iss);
    # jti lengths from 2000 to 5000 bytes: the end of the decoding area
    # falls at many places of the memory it came from
    my @len = map { 2000 + 150 * $_ } 0 .. 20;
    my @codes = map {
        (present_token('/app/user-iss/x', hs(sub => 'alice', iss => $iss, jti => "j$_-" . ('x' x $_))))[0]->code
    } @len;
    is_deeply \@codes, [ (302) x @len ], 'JWTSSOUserClaim iss: 21 more tokens, jti of 2000 to 5000 bytes, each a 302 login';

    my $jti = 'J' x 255;
    token_accepted('JWTSSOUserClaim jti, a 4000-byte iss', '/app/user-jti/x',
                   hs(sub => 'alice', jti => $jti, iss => 'https://idp.test/' . ('i' x 3983)), $jti);
    @codes = map {
        (present_token('/app/user-jti/x', hs(sub => 'alice', jti => sprintf('%04d', $_) . ('J' x 251),
                                             iss => 'i' x $_)))[0]->code
    } @len;
    is_deeply \@codes, [ (302) x @len ], 'JWTSSOUserClaim jti: 21 more tokens, iss of 2000 to 5000 bytes, each a 302 login';
    # by the rules: a 4000-byte user is no user
    token_refused('JWTSSOUserClaim jti, the jti 4000 bytes', '/app/user-jti/x',
                  hs(sub => 'alice', jti => 'j' x 4000), 'bad_user', claim => 'jti');
    token_refused('JWTSSOUserClaim iss, no iss', '/app/user-iss/x',
                  hs(sub => 'alice', jti => 'j' x 4000), 'no_user', claim => 'iss');
    # the replay cache keys on (iss, jti): the same jti logs in once
    my $t = hs(sub => 'alice', iss => $iss, jti => 'once-' . ('x' x 3000));
    is((present_token('/app/user-iss/x', $t))[0]->code, 302, 'JWTSSOUserClaim iss: a token logs in');
    is((present_token('/app/user-iss/x', $t))[0]->code, 401, 'JWTSSOUserClaim iss: the same token again: 401 (replayed)');
    is_deeply [ crash_lines(scalar error_log_since($mark, qr/exit signal/, 2)) ], [], 'user claim in two roles: no child crashed';
    unlike scalar(error_log_since($mark)), qr/JWTSSO00415/, 'user claim in two roles: no internal verification error';
}

# ------------------------------------------------------------------ a JWKS of 100 keys

{
    my ($good_kid, $good_nokid, $forged_nokid, $unknown, $small) = sign_tokens('jose',
        job('ES256', $EC57, 'many-kid', header => { kid => 'ec-57' }),
        job('ES256', $EC57, 'many-nokid'),
        job('ES256', 'file:' . key_file('ec256'), 'mallory'),
        job('ES256', $EC57, 'mallory', header => { kid => 'ec-xx' }),
        job('ES256', 'file:' . key_file('ec256'), 'small-nokid'),
    );
    my $p = '/app/pk/many/x';
    token_refused('100 keys: a forged ES256 token without kid', $p, $forged_nokid, 'kid_required');
    token_refused('100 keys: a good ES256 token without kid (kid required)', $p, $good_nokid, 'kid_required');
    token_accepted('100 keys: ES256 with kid ec-57, by its key', $p, $good_kid, 'many-kid', alg => 'ES256');
    token_refused('100 keys: ES256 with kid ec-57, one bit of the signature flipped', $p,
                  flip_bit($good_kid, 2), 'bad_signature');
    token_refused('100 keys: ES256 with a kid no key has', $p, $unknown, 'unknown_kid');
    is reason_tag('kid_required'), '00229', 'kid_required is JWTSSO00229';

    # jsonwebtoken and PyJWT put no kid in a token: a small key set still
    # serves them (three keys with kids, one EC)
    token_accepted('3 keys: ES256 without kid (jose)', '/app/pk/jwks/x', $small, 'small-nokid', alg => 'ES256');
    token_accepted('3 keys: ES256 without kid (jsonwebtoken)', '/app/pk/jwks/x',
                   node_token('file:' . key_file('ec256'), { sub => 'jwt-nokid' }, { algorithm => 'ES256' }),
                   'jwt-nokid', alg => 'ES256');

    # JWTSSOMaxKeysWithoutKid 1 with two keys without kid
    my ($rs_b, $rs_b_kid) = sign_tokens('jose',
        job('RS256', 'file:' . key_file('rsa-b'), 'onekey'),
        job('RS256', 'file:' . key_file('rsa-b'), 'onekey-kid', header => { kid => 'any' }));
    token_refused('JWTSSOMaxKeysWithoutKid 1, two keys: RS256 without kid', '/app/pk/onekey/x', $rs_b,
                  'kid_required');
    token_refused('JWTSSOMaxKeysWithoutKid 1, two keys: a kid no key has, no fallback', '/app/pk/onekey/x',
                  $rs_b_kid, 'unknown_kid');
    token_accepted('the same two keys under the default (4): RS256 without kid', '/app/pk/rotate/x', $rs_b,
                   'onekey', alg => 'RS256');

    # A refusal at the signature step is remembered by the child: the same
    # forged token again costs no verification. One connection, so one child.
    my $ua = ua(keep_alive => 1);
    for my $case ([kid_required => 'JWTSSO00229', sign_tokens('jose', job('ES256', 'file:' . key_file('ec256'), 'flood'))],
                  [bad_signature => 'JWTSSO00213', flip_bit($good_kid, 2, 5)]) {
        my ($reason, $tag, $tok) = @$case;
        my $mark = error_log_mark();
        my @codes = map { (present_token($p, $tok, $ua))[0]->code } 1 .. 6;
        is_deeply \@codes, [ (401) x 6 ], "$reason: the same token 6 times: 401 each time";
        my $log = error_log_since($mark);
        my $all = () = $log =~ /\Q$tag\E: token refused: \Q$reason\E: /g;
        my $again = () = $log =~ /\Q$tag\E: token refused: \Q$reason\E: [^\n]*; refused here moments ago, not verified again\)/g;
        is $all, 6, "$reason: one $tag line per request, remembered or not";
        cmp_ok $again, '>=', 1, "$reason: later ones from the child's memory (not verified again)";
        ok index($log, $tok) < 0, "$reason: the token is not in the error_log";
    }
}

# ------------------------------------------------------------------ start-up

{
    my $keys = "JWTSSOVerifyJWKS $JWKS\n    JWTSSOSessionKey \"$MAIN\"";
    my $loc = sub {
        my $extra = shift // '';
        return "<Location /app>\n    AuthType jwtsso\n    AuthName \"t\"\n"
             . "    JWTSSOAuthEndpoint https://idp.example.test/login\n    $keys\n$extra"
             . "    Session On\n    SessionCookieName jwtsso_session path=/;httponly\n"
             . "    SessionMaxAge 0\n    Require valid-user\n</Location>\n";
    };
    my $out = config_ok('100 keys', $loc->());
    like $out, qr/JWTSSO00105: <Location \/app> .*: ES256 tokens without kid would be checked against 100 keys, more than JWTSSOMaxKeysWithoutKid 4: such tokens will be refused \(kid_required\)/,
         '100 keys: start-up warns, naming the directive';
    $out = config_ok('100 keys, JWTSSOMaxKeysWithoutKid 64', $loc->("    JWTSSOMaxKeysWithoutKid 64\n"));
    like $out, qr/JWTSSO00105: .*checked against 100 keys, more than JWTSSOMaxKeysWithoutKid 64/,
         '100 keys, 64 tried: still warns';
    $keys = "JWTSSOVerifyKey " . pub_key_file('ec256') . "\n    JWTSSOSessionKey \"$MAIN\"";
    $out = config_ok('one key', $loc->());
    unlike $out, qr/JWTSSO00105/, 'one key: no warning';
    for my $bad (qw(0 65 -1 four 4x)) {
        config_bad("JWTSSOMaxKeysWithoutKid $bad", $loc->("    JWTSSOMaxKeysWithoutKid $bad\n"),
                   [qr/JWTSSOMaxKeysWithoutKid: '\Q$bad\E' is not a number of keys from 1 to 64/]);
    }
}

is_deeply [ crash_lines(scalar error_log_since($START)) ], [], 'no child crashed (error_log)';

done_testing();
