# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The interoperability matrix: every algorithm the module verifies, signed
# by every library that can make it, through the running httpd.
#
# Libraries (one process each signs all its tokens, t/lib/JWTSSOTest.pm
# batch_tokens): npm jsonwebtoken 9 (jwt.sign; HS/RS/PS/ES, no EdDSA), npm
# jose 6 (new SignJWT(...).setProtectedHeader({alg}).setIssuedAt()
# .setExpirationTime('1h').sign(key); every alg), Debian's PyJWT 2.6 with
# python3-cryptography (jwt.encode; what its get_default_algorithms() lists,
# iat and exp set by t/bin/mktokens.py). Keys: the main secret for HS*,
# rsa-a for RS*/PS*, ec256/ec384/ec521 for ES256/384/512, ed25519 for EdDSA
# (t/keys/, made by t/TEST.PL).
#
# For each algorithm x library, the cell is ok when all of these hold:
#   (a) a token is accepted at /app/only/ALG (every key configured, only ALG
#       allowed): 302 to the same URL, a session, REMOTE_USER through it;
#   (b) a second token is accepted likewise at its key's own location
#       (/app/nostate for HS*, /app/pk/rsa, /app/pk/es256, /app/pk/es384,
#       /app/pk/es521, /app/pk/ed);
#   (c) the first token with one bit flipped in the decoded header, payload
#       or signature (re-encoded, so still strict base64url) is refused at
#       /app/only/ALG: 401, no session (payload and signature: bad_signature);
#   (d) the first token is refused with alg_not_allowed at /app/only/OTHER
#       for two other algorithms (the next in the list, and one of another
#       family or padding).
# The matrix is printed at the end (diag), with the count.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JSON::PP ();

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();

my @ALGS = qw(HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA);
my @LIBS = qw(jsonwebtoken jose pyjwt);
my %LIB_NAME = (jsonwebtoken => 'jsonwebtoken 9', jose => 'jose 6', pyjwt => 'PyJWT 2.6');

my %KEY = (
    (map { $_ => secret('main') } qw(HS256 HS384 HS512)),
    (map { $_ => 'file:' . key_file('rsa-a') } qw(RS256 RS384 RS512 PS256 PS384 PS512)),
    ES256 => 'file:' . key_file('ec256'),
    ES384 => 'file:' . key_file('ec384'),
    ES512 => 'file:' . key_file('ec521'),
    EdDSA => 'file:' . key_file('ed25519'),
);
my %OWN = (
    (map { $_ => '/app/nostate' } qw(HS256 HS384 HS512)),
    (map { $_ => '/app/pk/rsa' } qw(RS256 RS384 RS512 PS256 PS384 PS512)),
    ES256 => '/app/pk/es256', ES384 => '/app/pk/es384', ES512 => '/app/pk/es521', EdDSA => '/app/pk/ed',
);
# (d): the next algorithm in the list, and one of another family or padding
my %CROSS = (
    HS256 => 'RS256', HS384 => 'RS384', HS512 => 'RS512',
    RS256 => 'PS256', RS384 => 'PS384', RS512 => 'PS512',
    PS256 => 'RS256', PS384 => 'RS384', PS512 => 'RS512',
    ES256 => 'EdDSA', ES384 => 'ES256', ES512 => 'ES256', EdDSA => 'ES256',
);
my %OTHERS = map {
    my $i = $_;
    ($ALGS[$i] => [$ALGS[($i + 1) % @ALGS], $CROSS{ $ALGS[$i] }]);
} 0 .. $#ALGS;

# What each library can make. PyJWT: ask it.
my %CAN = (
    jsonwebtoken => { map { $_ => 1 } grep { $_ ne 'EdDSA' } @ALGS },
    jose         => { map { $_ => 1 } @ALGS },
);
{
    my $have = `/usr/bin/python3 -c 'from jwt.algorithms import get_default_algorithms as g; print(" ".join(g()))' 2>&1`;
    ok $? == 0, 'PyJWT lists its algorithms' or diag $have;
    my %py = map { $_ => 1 } split ' ', $have;
    $CAN{pyjwt} = { map { $_ => 1 } grep { $py{$_} } @ALGS };
    ok $CAN{pyjwt}{EdDSA}, 'PyJWT (with python3-cryptography) signs EdDSA';
}

my %CELL;    # $CELL{$alg}{$lib} = 'ok' | 'FAIL' | 'n/a'

for my $lib (@LIBS) {
    my @algs = grep { $CAN{$lib}{$_} } @ALGS;
    $CELL{$_}{$lib} = 'n/a' for grep { !$CAN{$lib}{$_} } @ALGS;
    # two tokens per algorithm: [0] for /app/only/ALG, [1] for its key's location
    my @jobs = map {
        my $alg = $_;
        map { { alg => $alg, key => $KEY{$alg}, payload => { sub => "$lib-$alg-$_", lib => $lib } } }
            qw(only own);
    } @algs;
    my @tokens = batch_tokens($lib, \@jobs);

    for my $alg (@algs) {
        my ($t1, $t2) = splice @tokens, 0, 2;
        my $label = "$LIB_NAME{$lib} $alg";
        my $ok = 1;
        for my $t ($t1, $t2) {
            $ok &= ok(!ref $t, "$label: signed") || diag($t->{error});
        }
        if (!$ok) {
            $CELL{$alg}{$lib} = 'FAIL';
            next;
        }
        my $hdr = JSON::PP->new->decode(b64url_decode((split /\./, $t1)[0]));
        $ok &= is($hdr->{alg}, $alg, "$label: the header says alg $alg");

        # (a), (b)
        my $only = "/app/only/$alg/x";
        $ok &= !!token_accepted("$label at /app/only/$alg", $only, $t1, "$lib-$alg-only", alg => $alg);
        $ok &= !!token_accepted("$label at $OWN{$alg}", "$OWN{$alg}/x", $t2, "$lib-$alg-own", alg => $alg);

        # (c)
        my @flip = (flip_bit($t1, 0), flip_bit($t1, 1), flip_bit($t1, 2));
        for my $i (0 .. 2) {
            $ok &= ok($flip[$i] ne $t1 && $flip[$i] =~ /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
                      "$label: a bit flipped in part $i, still base64url");
        }
        $ok &= token_refused("$label, a bit flipped in the header", $only, $flip[0], undef);
        $ok &= token_refused("$label, a bit flipped in the payload", $only, $flip[1], 'bad_signature');
        $ok &= token_refused("$label, a bit flipped in the signature", $only, $flip[2], 'bad_signature');

        # (d)
        for my $other (@{ $OTHERS{$alg} }) {
            $ok &= token_refused("$label at /app/only/$other", "/app/only/$other/x", $t1, 'alg_not_allowed');
        }
        $CELL{$alg}{$lib} = $ok ? 'ok' : 'FAIL';
    }
}

# ------------------------------------------------------------------ the matrix

my @cols = map { $LIB_NAME{$_} } @LIBS;
my $w = 16;
diag '';
diag 'interop matrix: accepted at /app/only/ALG and at its key\'s location; '
   . 'bit flips and other allow-lists refused';
diag sprintf('%-7s', 'alg') . join('', map { sprintf "%-${w}s", $_ } @cols);
my %count;
for my $alg (@ALGS) {
    diag sprintf('%-7s', $alg) . join('', map { sprintf "%-${w}s", $CELL{$alg}{$_} // '?' } @LIBS);
    $count{ $CELL{$alg}{$_} // '?' }++ for @LIBS;
}
my $made = ($count{ok} // 0) + ($count{FAIL} // 0);
diag sprintf '%d of %d combinations ok, %d FAIL, %d n/a (the library cannot make the alg)',
    $count{ok} // 0, $made, $count{FAIL} // 0, $count{'n/a'} // 0;
is $count{FAIL} // 0, 0, "interop matrix: no FAIL in $made combinations";
cmp_ok $count{ok} // 0, '>=', 38, 'interop matrix: at least 38 combinations made (12 + 13 + 13)';

done_testing();
