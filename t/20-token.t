# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# Every token failure reason through the running httpd, and the tokens
# that must be accepted. Unless said otherwise the scenario is /app/nostate
# (JWTSSOState Off, JWTSSOMaxAge 60, JWTSSOClockSkew 5), where a token can
# be presented directly with ?jwt=.
#
# A refused token: 401, no session cookie, one INFO line
#   JWTSSO002nn: token refused: <reason name>: ...
# (src/httpd/reasons.c; src/httpd/verify.c), and the token is neither in the
# 401 body nor in the error_log.
# An accepted token: 302 to the same URL without the token, a session
# cookie, and with it REMOTE_USER on the next request.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use URI::Escape qw(uri_escape);
use JWTSSOTest;

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my $SESSION_COOKIE = 'jwtsso_session';

# The log tag of each reason: 200 + its jwtsso_reason_t value.
my %TAG = (
    too_large => '00201', malformed => '00202', bad_base64 => '00203',
    bad_header => '00204', bad_payload => '00205', duplicate_member => '00206',
    alg_none => '00207', alg_unknown => '00208', alg_not_allowed => '00209',
    crit => '00210', no_key => '00211', unknown_kid => '00212',
    bad_signature => '00213', claim_type => '00214', expired => '00215',
    not_yet_valid => '00216', iat_future => '00217', too_old => '00218',
    no_lifetime => '00219', no_iat => '00220', no_user => '00221',
    bad_user => '00222',
);

my $MAIN = secret('main');

# Fresh numbers (never used as strings, so JSON::PP writes them as numbers).
sub now { return time() + 0 }

sub session_cookies {
    my $res = shift;
    return grep { /^\Q$SESSION_COOKIE\E=/ } $res->header('Set-Cookie');
}

sub present {
    my ($loc, $token, $ua) = @_;
    $ua ||= ua();
    my $res = $ua->get(url("/app/$loc/x?jwt=" . uri_escape($token)));
    return ($res, $ua);
}

# refused($label, $location, $token, $reason [, claim => NAME])
sub refused {
    my ($label, $loc, $token, $reason, %o) = @_;
    my $tag = $TAG{$reason} or die "no tag for $reason";
    my $mark = error_log_mark();
    my ($res) = present($loc, $token);
    is $res->code, 401, "$label: 401 at /app/$loc"
        or diag $res->as_string;
    is scalar(session_cookies($res)), 0, "$label: no $SESSION_COOKIE cookie";
    my $log = error_log_since($mark, qr/JWTSSO\d{5}: (?:token refused|login)/);
    like $log, qr/JWTSSO$tag: token refused: \Q$reason\E: /,
        "$label: log says JWTSSO$tag $reason" or diag "log since mark:\n$log";
    if ($o{claim}) {
        like $log, qr/JWTSSO$tag: [^\n]*, claim \Q$o{claim}\E,/, "$label: log names claim $o{claim}";
    }
    ok index($res->content, $token) < 0, "$label: the 401 body does not hold the token";
    ok index($log, $token) < 0, "$label: the error_log does not hold the token";
    return $log;
}

# accepted($label, $location, $token, $user [, alg => ALG]) -> app vars
sub accepted {
    my ($label, $loc, $token, $user, %o) = @_;
    my $mark = error_log_mark();
    my ($res, $ua) = present($loc, $token);
    is $res->code, 302, "$label: 302 at /app/$loc" or diag $res->as_string;
    my $loc_hdr = $res->header('Location') // '';
    like $loc_hdr, qr{^http://[^/]+/app/\Q$loc\E/x$}, "$label: redirect to the same URL without the token";
    is scalar(session_cookies($res)), 1, "$label: $SESSION_COOKIE cookie set";
    my $log = error_log_since($mark, qr/JWTSSO\d{5}: (?:token refused|login)/);
    my $alg = $o{alg} // 'HS256';
    like $log, qr/JWTSSO00408: login: user '\Q$user\E' \(alg $alg, token [0-9a-f]{8}\)/,
        "$label: login logged (alg $alg)" or diag "log since mark:\n$log";
    ok index($log, $token) < 0, "$label: the error_log does not hold the token";
    my $next = $ua->get($loc_hdr || url("/app/$loc/x"));
    is $next->code, 200, "$label: 200 with the session" or diag $next->as_string;
    my $v = app_vars($next);
    is $v->{REMOTE_USER}, $user, "$label: REMOTE_USER $user";
    return $v;
}

# A token for the main secret with iat now (accepted at /app/nostate).
sub good {
    my %p = (sub => 'alice', iat => now(), @_);
    return raw_token(payload => \%p, secret => $MAIN);
}

# ------------------------------------------------------------------ size

{
    my $t = node_token($MAIN, { sub => 'alice', pad => 'p' x 200 });
    cmp_ok length($t), '>', 300, 'too_large: the token is over 300 bytes';
    refused('too_large', 'small', $t, 'too_large');
}

# ------------------------------------------------------------------ shape

{
    my $t = good();
    my ($h, $p, $s) = split /\./, $t;
    refused('malformed: two parts', 'nostate', "$h.$p", 'malformed');
    refused('malformed: four parts', 'nostate', "$t.$s", 'malformed');
    refused('malformed: empty signature', 'nostate', "$h.$p.", 'malformed');

    # an HS256 MAC is 43 base64url characters: standard base64 pads to 44
    refused('bad_base64: padded part', 'nostate', "$h.$p.$s=", 'bad_base64');
    (my $plus = $s) =~ s/^./+/;
    refused("bad_base64: a '+'", 'nostate', "$h.$p.$plus", 'bad_base64');
}

# ------------------------------------------------------------------ header and payload

refused('bad_header: header []', 'nostate',
        raw_token(header => '[]', payload => { sub => 'alice', iat => now() }, secret => $MAIN),
        'bad_header');
refused('bad_header: no alg', 'nostate',
        raw_token(header => { typ => 'JWT' }, payload => { sub => 'alice', iat => now() }, secret => $MAIN),
        'bad_header');
refused('bad_payload: payload "x"', 'nostate',
        raw_token(payload => '"x"', secret => $MAIN), 'bad_payload');
refused('duplicate_member: in the header', 'nostate',
        raw_token(header => '{"alg":"HS256","typ":"JWT","typ":"JWT"}',
                  payload => { sub => 'alice', iat => now() }, secret => $MAIN),
        'duplicate_member');
refused('duplicate_member: in the payload (valid MAC)', 'nostate',
        raw_token(payload => '{"sub":"a","sub":"admin","iat":' . now() . '}', secret => $MAIN),
        'duplicate_member');

# ------------------------------------------------------------------ alg

{
    # The classic unsecured JWS (alg none, empty signature): jws.c reads
    # the header before it refuses the empty signature, so the log names
    # the attack (alg_none), not just a malformed token.
    my $t = raw_token(alg => 'none', header => { alg => 'none', typ => 'JWT' },
                      payload => { sub => 'admin', iat => now() });
    like $t, qr/\.$/, 'alg none: the token has an empty signature';
    refused('alg none, empty signature', 'nostate', $t, 'alg_none');

    # alg_none is logged for any spelling, with or without a signature
    for my $none (qw(none None NONE)) {
        my $tn = raw_token(header => { alg => $none, typ => 'JWT' },
                           payload => { sub => 'admin', iat => now() },
                           secret => $MAIN);
        refused("alg_none: alg '$none' (with a signature)", 'nostate', $tn, 'alg_none');
    }
}
refused('alg_unknown: HS1', 'nostate',
        raw_token(header => { alg => 'HS1', typ => 'JWT' }, payload => { sub => 'alice', iat => now() },
                  secret => $MAIN),
        'alg_unknown');
# RS256 is an algorithm the module knows, but only HMAC keys are configured,
# so it is not in the default allow-list (what the key set can serve).
refused('alg_not_allowed: RS256 with no RSA key', 'nostate',
        raw_token(header => { alg => 'RS256', typ => 'JWT' }, payload => { sub => 'alice', iat => now() },
                  secret => $MAIN),
        'alg_not_allowed');
refused('crit: crit ["exp"]', 'nostate',
        raw_token(header => { alg => 'HS256', typ => 'JWT', crit => ['exp'] },
                  payload => { sub => 'alice', iat => now(), exp => now() + 600 }, secret => $MAIN),
        'crit');

# unknown_kid cannot happen with a secret configured without a kid: a kid is
# a hint, and the kid-less keys of the family are tried.
accepted('kid "k1" with a kid-less secret', 'nostate',
         raw_token(header => { alg => 'HS256', typ => 'JWT', kid => 'k1' },
                   payload => { sub => 'kiddo', iat => now() }, secret => $MAIN),
         'kiddo');

# ------------------------------------------------------------------ signature

refused('bad_signature: wrong secret', 'nostate',
        raw_token(payload => { sub => 'alice', iat => now() }, secret => 'w' x 40), 'bad_signature');
{
    my $t = good();
    my ($h, $p, $s) = split /\./, $t;
    (my $s2 = $s) =~ s/^(.)/$1 eq 'A' ? 'B' : 'A'/e;
    refused('bad_signature: one flipped character', 'nostate', "$h.$p.$s2", 'bad_signature');
}
refused("bad_signature: a token for secret('other')", 'nostate',
        node_token(secret('other'), { sub => 'alice' }), 'bad_signature');
refused('bad_signature: main secret at /app/filesecret', 'filesecret',
        node_token($MAIN, { sub => 'alice' }), 'bad_signature');

# ------------------------------------------------------------------ claims

refused('claim_type: exp as a string', 'nostate',
        good(exp => '9999999999'), 'claim_type', claim => 'exp');
refused('claim_type: iat as a string', 'nostate',
        raw_token(payload => '{"sub":"alice","iat":"' . now() . '"}', secret => $MAIN),
        'claim_type', claim => 'iat');
refused('expired: exp now-60', 'nostate', good(exp => now() - 60), 'expired', claim => 'exp');
refused('not_yet_valid: nbf now+600', 'nostate', good(nbf => now() + 600), 'not_yet_valid', claim => 'nbf');
refused('iat_future: iat now+600', 'nostate', good(iat => now() + 600), 'iat_future', claim => 'iat');
refused('too_old: iat now-120 (max age 60)', 'nostate', good(iat => now() - 120), 'too_old', claim => 'iat');
refused('too_old: iat now-15 at /app/strict (max age 10, skew 0)', 'strict',
        good(iat => now() - 15), 'too_old', claim => 'iat');
accepted('iat now-5 at /app/strict', 'strict', good(sub => 'strict', iat => now() - 5), 'strict');
refused('no_iat: PyJWT exp-only token at /app/nostate', 'nostate',
        py_token($MAIN, { sub => 'alice', exp => now() + 3600 }), 'no_iat', claim => 'iat');
refused('no_lifetime: sub and iat, no exp, at /app/py (max age off)', 'py',
        py_token($MAIN, { sub => 'alice', iat => now() }), 'no_lifetime', claim => 'exp');
refused('no_user: no sub', 'nostate',
        raw_token(payload => { iat => now(), name => 'alice' }, secret => $MAIN), 'no_user', claim => 'sub');
refused('bad_user: sub ""', 'nostate', good(sub => ''), 'bad_user', claim => 'sub');
refused('bad_user: sub 42', 'nostate', good(sub => 42), 'bad_user', claim => 'sub');
refused('bad_user: sub "a\nb"', 'nostate', good(sub => "a\nb"), 'bad_user', claim => 'sub');
refused('bad_user: sub with \u0001', 'nostate', good(sub => "ad\x01min"), 'bad_user', claim => 'sub');
refused('bad_user: sub of 256 bytes', 'nostate', good(sub => 'u' x 256), 'bad_user', claim => 'sub');

# JWTSSOUserClaim email
{
    my $v = accepted('JWTSSOUserClaim email', 'email',
                     good(sub => 'alice', email => 'alice@example.test'), 'alice@example.test');
    is $v->{JWTSSO_CLAIM_SUB}, 'alice', 'JWTSSOUserClaim email: sub still a claim';
    refused('JWTSSOUserClaim email: a token without email', 'email', good(sub => 'alice'),
            'no_user', claim => 'email');
}

# ------------------------------------------------------------------ accepted tokens

accepted('jsonwebtoken HS256', 'nostate', node_token($MAIN, { sub => 'n256' }), 'n256');
accepted('jsonwebtoken HS384', 'nostate',
         node_token($MAIN, { sub => 'n384' }, { algorithm => 'HS384' }), 'n384', alg => 'HS384');
accepted('jsonwebtoken HS512', 'nostate',
         node_token($MAIN, { sub => 'n512' }, { algorithm => 'HS512', expiresIn => '1h' }), 'n512',
         alg => 'HS512');
accepted('PyJWT at /app/py', 'py', py_token($MAIN, { sub => 'pyuser', exp => now() + 3600 }), 'pyuser');
accepted('PyJWT HS512 at /app/py', 'py',
         py_token($MAIN, { sub => 'py512', exp => now() + 3600 }, 'HS512'), 'py512', alg => 'HS512');
accepted("secret('file') at /app/filesecret", 'filesecret',
         node_token(secret('file'), { sub => 'fileuser' }), 'fileuser');
accepted("secret('short') at /app/b64secret", 'b64secret',
         raw_token(payload => { sub => 'shortuser', iat => now() }, secret => secret('short')), 'shortuser');
refused("secret('short') token at /app/nostate", 'nostate',
        raw_token(payload => { sub => 'shortuser', iat => now() }, secret => secret('short')),
        'bad_signature');

done_testing();
