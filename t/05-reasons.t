# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# The reason table and the log tags, read from the sources (no server
# request): a reason of src/core/jwtsso.h without a row in
# src/httpd/reasons.c, a row whose name or tag disagrees with the core and
# with the tags the tests expect (JWTSSOTest reason_tag), a tag given at two
# call sites in src/, and a tag missing from README's "Reading the log"
# all fail here (STYLE §5: one tag per call site, never reused).

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use File::Find;
use File::Spec;
use JWTSSOTest;

my $top = top_dir();
sub src { slurp(File::Spec->catfile($top, @_)) }

# ---------------------------------------------------------------- the enum
my $h = src(qw(src core jwtsso.h));
my ($enum) = $h =~ /typedef enum \{(.*?)\}\s*jwtsso_reason_t;/s
    or die "no jwtsso_reason_t in src/core/jwtsso.h\n";
$enum =~ s{/\*.*?\*/}{}gs;
my @consts = $enum =~ /\b(JWTSSO_(?:OK|R_\w+))\b/g;
@consts = grep { $_ ne 'JWTSSO_R__COUNT' } @consts;
die "jwtsso.h: JWTSSO_OK is not first\n" unless $consts[0] eq 'JWTSSO_OK';
my @reasons = @consts[1 .. $#consts];     # every value but JWTSSO_OK

# ---------------------------------------------------------------- core names
my %core_name;
my $rc = src(qw(src core reason.c));
while ($rc =~ /\[(JWTSSO_(?:OK|R_\w+))\]\s*=\s*\{\s*"([^"]*)"/g) {
    $core_name{$1} = $2;
}

# ---------------------------------------------------------------- the table
my $rs = src(qw(src httpd reasons.c));
my ($body) = $rs =~ /\brows\[JWTSSO_R__COUNT\]\s*=\s*\{(.*?)\n\};/s
    or die "no rows[JWTSSO_R__COUNT] table in src/httpd/reasons.c\n";
$body =~ s{/\*.*?\*/}{}gs;
my %row;
while ($body =~ /\[(JWTSSO_\w+)\]\s*=\s*(TOKEN\s*\(.*?\)|\{.*?\})\s*,/gs) {
    my ($c, $v) = ($1, $2);
    my ($name) = $v =~ /"([a-z0-9_]+)"/;
    my ($tag) = $v =~ /"(JWTSSO\d{5})"/;
    my $level = $v =~ /^TOKEN/ ? 'APLOG_INFO' : ($v =~ /\b(APLOG_\w+)/)[0];
    my $status = $v =~ /^TOKEN/ ? 'HTTP_UNAUTHORIZED'
               : ($v =~ /^\{\s*"[^"]*"\s*,\s*(\w+)/)[0];
    $row{$c} = { name => $name, tag => $tag, level => $level, status => $status };
}

plan tests => 5 + 3 * @reasons;

ok !exists $row{JWTSSO_OK}, 'JWTSSO_OK has no row (nothing to log)';
is_deeply [sort grep { my $c = $_; !grep { $_ eq $c } @reasons } keys %row], [],
    'every row is a reason of jwtsso.h';

for my $c (@reasons) {
    my $r = $row{$c};
    unless (ok $r && defined $r->{name}, "$c has a row in src/httpd/reasons.c") {
        fail("$c: no row to check") for 1 .. 2;
        next;
    }
    is $r->{name}, $core_name{$c}, "$c: the row's name is the core's ($core_name{$c})";
    if ($c =~ /^JWTSSO_R_RECORD_/) {
        # logged by session.c under its own call-site tag
        ok !defined $r->{tag} && $r->{level} =~ /^APLOG_(?:INFO|DEBUG)$/,
            "$c: no tag of its own (session.c logs JWTSSO00302), info or debug";
    }
    elsif ($c eq 'JWTSSO_R_INTERNAL') {
        ok +($r->{tag} // '') eq 'JWTSSO00415' && $r->{level} eq 'APLOG_ERR'
            && $r->{status} eq 'HTTP_INTERNAL_SERVER_ERROR',
            "$c: JWTSSO00415, ERR, 500";
    }
    else {
        my $want = 'JWTSSO' . reason_tag($r->{name});
        ok +($r->{tag} // '') eq $want && $r->{level} eq 'APLOG_INFO'
            && $r->{status} eq 'HTTP_UNAUTHORIZED',
            "$c: $want, INFO, 401 (as the tests expect)";
    }
}

# ---------------------------------------------------------------- call sites
# Every JWTSSO_LOGNO(nnnnn) and literal "JWTSSOnnnnn" in src/ is a call site
# (a row of reasons.c counts as one): each tag at one only.
my (%sites, @computed);
find({ no_chdir => 1, wanted => sub {
    return unless /\.[ch]\z/;
    my $rel = File::Spec->abs2rel($File::Find::name, $top);
    my $n = 0;
    for my $line (split /\n/, slurp($File::Find::name)) {
        $n++;
        push @{ $sites{$1} }, "$rel:$n" while $line =~ /JWTSSO_LOGNO\((\d{5})\)/g;
        push @{ $sites{$1} }, "$rel:$n" while $line =~ /"JWTSSO(\d{5})\b/g;
        push @computed, "$rel:$n" if $line =~ /"JWTSSO%/;
    }
} }, File::Spec->catdir($top, 'src'));
my @dups = map { "JWTSSO$_ at " . join(', ', @{ $sites{$_} }) }
           grep { @{ $sites{$_} } > 1 } sort keys %sites;
is_deeply \@dups, [], 'no log tag is given at two call sites in src/'
    or diag join "\n", @dups;
is_deeply \@computed, [], 'no computed tag ("JWTSSO%05d") in src/: grep must find each';

# ---------------------------------------------------------------- README
# "Reading the log" lists every tag (ranges such as `JWTSSO00704`–`00707`
# and lists such as `JWTSSO00725`, `00726` included).
my $readme = src('README.md');
my %listed;
for my $line (grep { /^\| `JWTSSO\d{5}/ } split /\n/, $readme) {
    my ($cell) = $line =~ /^\|([^|]*)\|/;
    while ($cell =~ /`(?:JWTSSO)?(\d{5})`(?:\s*(?:\x{e2}\x{80}\x{93}|-)\s*`(?:JWTSSO)?(\d{5})`)?/g) {
        $listed{sprintf '%05d', $_} = 1 for $1 .. ($2 // $1);
    }
}
my @unlisted = grep { !$listed{$_} } sort keys %sites;
is_deeply \@unlisted, [], "README's log table lists every tag of src/"
    or diag 'not in README: ' . join ', ', map { "JWTSSO$_" } @unlisted;
