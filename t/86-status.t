# SPDX-License-Identifier: Apache-2.0
# Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
use strict;
use warnings FATAL => 'all';

# SetHandler jwtsso-status (src/httpd/status.c, counters in src/httpd/stats.c):
#   1. on the test server (t/conf/status.conf.in): no login needed; the
#      three forms (HTML with the chart, JSON, Prometheus by format= and by
#      Accept); HEAD; 405 for other methods; 400 for an unknown or repeated
#      format, each logged; Require ip in front of it; a small mix on /st/
#      moves each counter by exactly its share (read before and after);
#   2. an httpd of its own (prefork, then event, StartServers 3, KeepAlive Off): a
#      scripted mix of logins, failures of several reasons, a replay,
#      bearer requests, a logout and redirects, sent by three clients at
#      once so several children serve it; the three forms give exactly the
#      mix's numbers (Prometheus through python3's prometheus_client
#      parser, every sample checked; JSON through a JSON parser; HTML by
#      its table and chart);
#   3. a graceful restart (SIGUSR1) keeps the numbers and `since`; a
#      restart that is not graceful (SIGHUP) clears them with a new
#      `since`; a full stop and start clears them with a new `since`.

use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test qw(-withtestmore);
use Test::More import => ['!plan'];
use JWTSSOTest;
use JSON::PP ();
use File::Temp ();
use Time::HiRes ();
use URI::Escape qw(uri_escape);

plan skip_all => 'mod_auth_jwtsso not loaded by the test server' unless have_jwtsso();
plan skip_all => 'no python3 prometheus_client'
    unless system('/usr/bin/python3 -c "import prometheus_client.parser" 2>/dev/null') == 0;
plan tests => 124;

my @REASONS = qw(too_large malformed bad_base64 bad_header bad_payload
    duplicate_member alg_none alg_unknown alg_not_allowed crit no_key unknown_kid
    bad_signature claim_type expired not_yet_valid iat_future too_old no_lifetime
    no_iat no_user bad_user bad_issuer bad_audience record_malformed
    record_bad_mac record_expired internal kid_required token_type
    duplicate_param state_missing state_param_missing state_mismatch replayed
    replay_window_too_long consumed);
my @EVENTS = qw(logins sessions bearer redirects logouts replays_refused store_errors);
my %METRIC = (logins => 'jwtsso_logins_total', sessions => 'jwtsso_session_requests_total',
              bearer => 'jwtsso_bearer_requests_total', redirects => 'jwtsso_redirects_total',
              logouts => 'jwtsso_logouts_total', replays_refused => 'jwtsso_replays_refused_total',
              store_errors => 'jwtsso_store_errors_total');
my $PROM_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
my $OTHER = secret('other');

# ---------------------------------------------------------------- readers

sub get_json {
    my ($base, $path) = @_;
    my $res = ua()->get("$base$path?format=json");
    my $j = eval { JSON::PP->new->decode($res->content) };
    die "no JSON from $base$path: " . $res->as_string unless $res->code == 200 && ref $j eq 'HASH';
    return $j;
}

# The Prometheus text through prometheus_client's parser:
# {samples => {'name{label="v"}' => value}, types => {family => type}}.
sub prom_parse {
    my $text = shift;
    my $in = File::Temp->new(SUFFIX => '.txt', TMPDIR => 1);
    print $in $text;
    close $in;
    my $py = File::Temp->new(SUFFIX => '.py', TMPDIR => 1);
    print $py <<'PY';
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {"samples": {}, "types": {}, "help": {}}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    out["types"][fam.name] = fam.type
    out["help"][fam.name] = fam.documentation
    for s in fam.samples:
        labels = ",".join('%s="%s"' % kv for kv in sorted(s.labels.items()))
        out["samples"][s.name + ("{" + labels + "}" if labels else "")] = s.value
print(json.dumps(out))
PY
    close $py;
    my $out = `/usr/bin/python3 $py $in 2>&1`;
    my $j = eval { JSON::PP->new->decode($out) };
    return $j || { error => $out };
}

# The JSON form as Prometheus samples would give it.
sub expected_samples {
    my $j = shift;
    my %s = map { ($METRIC{$_} => $j->{$_}) } @EVENTS;
    $s{qq{jwtsso_failures_total{reason="$_"}}} = $j->{failures}{$_} for @REASONS;
    $s{jwtsso_start_time_seconds} = $j->{since};
    $s{qq{jwtsso_info{version="$j->{version}"}}} = 1;
    return \%s;
}

# The HTML form's table: {key => number}, keys as the JSON's (failures.X).
sub html_numbers {
    my $html = shift;
    my %n;
    while ($html =~ m{<tr><th scope="row">[^<]*</th><td>([a-z0-9_.]+)</td><td>(\d+)</td></tr>}g) {
        $n{$1} = $2;
    }
    return \%n;
}

sub flat {
    my $j = shift;
    my %n = map { ($_ => $j->{$_}) } @EVENTS;
    $n{"failures.$_"} = $j->{failures}{$_} for keys %{ $j->{failures} };
    return \%n;
}

# All three forms of one server, checked against %$want (event and
# failure counts; unnamed ones must be 0) and against each other.
sub three_forms_are {
    my ($label, $base, $path, $want) = @_;
    my $j = get_json($base, $path);
    my %exp = map { ($_ => $want->{$_} // 0) } @EVENTS;
    $exp{failures} = { map { ($_ => $want->{failures}{$_} // 0) } @REASONS };
    is_deeply { map { ($_ => $j->{$_}) } @EVENTS, 'failures' }, \%exp, "$label: JSON numbers"
        or diag(JSON::PP->new->canonical->encode($j));

    my $res = ua()->get("$base$path?format=prometheus");
    is $res->header('Content-Type'), $PROM_TYPE, "$label: Prometheus content type";
    my $p = prom_parse($res->content);
    is_deeply $p->{samples}, expected_samples($j), "$label: every Prometheus sample, parsed by prometheus_client"
        or diag($p->{error} // $res->content);

    my $html = ua()->get("$base$path")->content;
    is_deeply html_numbers($html), flat($j), "$label: the HTML table has every number";
    my @bars = grep { $exp{failures}{$_} } @REASONS;
    if (@bars) {
        my ($svg) = $html =~ m{(<svg\b.*</svg>)}s;
        ok $svg && !grep({ $svg !~ m{>\Q$_\E</text>} } @bars)
           && !grep({ $svg !~ m{<title>\Q$_\E: $exp{failures}{$_}</title>} } @bars),
           "$label: the SVG chart has a labelled bar per reason that happened";
    }
    else {
        like $html, qr{<p>No failures\.</p>}, "$label: no chart without failures";
    }
    return $j;
}

# ---------------------------------------------------------------- 1. the test server

my $BASE = base_url();
my $S = '/jwtsso-status';

{
    my $mark = error_log_mark();
    my $res = ua()->get("$BASE$S");
    is $res->code, 200, '1 HTML: 200 without any login';
    is $res->header('Content-Type'), 'text/html; charset=utf-8', '1 HTML: content type';
    is $res->header('Cache-Control'), 'no-store', '1 HTML: Cache-Control no-store';
    like $res->header('Vary') // '', qr/Accept/, '1 HTML: Vary Accept';
    my $html = $res->content;
    like $html, qr{<title>jwtsso-status</title>}, '1 HTML: a title';
    like $html, qr{mod_auth_jwtsso 0\.1\.0; counting since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+\)},
        '1 HTML: the version and the start time';
    unlike $html, qr{<script|<link|\bsrc=|\bhref=|style=}i, '1 HTML: no script, no external asset, no CSS';
    ok $html =~ /<table/ && $html =~ m{<td>failures\.bad_signature</td>}, '1 HTML: a table with the failures';

    my $head = ua()->head("$BASE$S?format=json");
    my $get = ua()->get("$BASE$S?format=json");
    is $head->code, 200, '1 HEAD: 200';
    is $head->content, '', '1 HEAD: no body';
    is $head->header('Content-Type'), 'application/json', '1 HEAD: the JSON content type';
    is $head->header('Content-Length'), length($get->content), '1 HEAD: the length of the GET';

    my $j = eval { JSON::PP->new->decode($get->content) };
    ok ref $j eq 'HASH', '1 JSON parses';
    is_deeply [sort keys %$j], [sort(@EVENTS, qw(version since failures))], '1 JSON: exactly the documented members';
    is_deeply [sort keys %{ $j->{failures} }], [sort @REASONS], '1 JSON: every reason, no other';
    is $j->{version}, '0.1.0', "1 JSON: the version (configure.ac's)";
    ok $j->{since} > time - 7200 && $j->{since} <= time, '1 JSON: since is a recent Unix time';

    my @scrape = (
        ['Prometheus 2 scrape Accept', 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'],
        ['text/plain; version=0.0.4', 'text/plain; version=0.0.4'],
    );
    for my $s (@scrape) {
        $res = req(ua(), GET => "$BASE$S", Accept => $s->[1]);
        is $res->header('Content-Type'), $PROM_TYPE, "1 Accept $s->[0]: the Prometheus form";
        like $res->content, qr/^# TYPE jwtsso_logins_total counter$/m, "1 Accept $s->[0]: its text";
    }
    $res = req(ua(), GET => "$BASE$S", Accept => 'text/plain');
    is $res->header('Content-Type'), 'text/html; charset=utf-8', '1 Accept text/plain without version: HTML';
    $res = req(ua(), GET => "$BASE$S", Accept => 'application/openmetrics-text;q=0, text/html');
    is $res->header('Content-Type'), 'text/html; charset=utf-8', '1 Accept OpenMetrics with q=0: HTML';
    $res = req(ua(), GET => "$BASE$S?format=json", Accept => 'text/plain; version=0.0.4');
    is $res->header('Content-Type'), 'application/json', '1 format= wins over Accept';

    my $p = prom_parse(ua()->get("$BASE$S?format=prometheus")->content);
    ok !$p->{error}, '1 Prometheus: prometheus_client parses it' or diag($p->{error});
    is $p->{types}{jwtsso_start_time_seconds}, 'gauge', '1 Prometheus: start time is a gauge';
    is $p->{types}{jwtsso_failures}, 'counter', '1 Prometheus: failures is a counter';
    is scalar(grep { /^jwtsso_failures_total\{/ } keys %{ $p->{samples} }), scalar(@REASONS),
        '1 Prometheus: one failures sample per reason';
    ok !grep({ !length $p->{help}{$_} } keys %{ $p->{help} }), '1 Prometheus: every family has its HELP';

    $mark = error_log_mark();
    $res = ua()->post("$BASE$S", Content => 'x=1');
    is $res->code, 405, '1 POST: 405';
    like $res->header('Allow') // '', qr/GET/, '1 POST: Allow names GET';
    log_like($mark, qr/JWTSSO01251: jwtsso-status: method POST refused: GET or HEAD only/, '1 POST: logged');
    $res = req(ua(), DELETE => "$BASE$S");
    is $res->code, 405, '1 DELETE: 405';

    $mark = error_log_mark();
    $res = ua()->get("$BASE$S?format=xml%3Cb%3E");
    is $res->code, 400, '1 unknown format: 400';
    like $res->content, qr/unknown format: use format=html, format=json or format=prometheus/,
        '1 unknown format: the body says which exist';
    unlike $res->content, qr/<b>|xml/, '1 unknown format: not echoed';
    is $res->header('Cache-Control'), 'no-store', '1 unknown format: no-store';
    log_like($mark, qr/JWTSSO01252: jwtsso-status: unknown format 'xml<b>': 400/, '1 unknown format: logged');
    $mark = error_log_mark();
    $res = ua()->get("$BASE$S?format=json&format=html");
    is $res->code, 400, '1 format twice: 400';
    log_like($mark, qr/JWTSSO01253: jwtsso-status: format given 2 times: 400/, '1 format twice: logged');

    $res = ua()->get("$BASE/jwtsso-status-elsewhere?format=json");
    is $res->code, 403, '1 behind Require ip another address: 403';
    unlike $res->content, qr/"logins"/, '1 ... and no numbers';
}

# A small mix on /st/, read before and after (the tests run one at a time).
{
    my $before = get_json($BASE, $S);
    my $tok = fresh_token({ sub => 'st-a' });
    my ($res, $ua) = present_token('/st/p', $tok);
    is $res->code, 302, '1 mix: a login';
    is $ua->get(url('/st/p'))->code, 200, '1 mix: a session request';
    is +(present_token('/st/p', $tok))[0]->code, 401, '1 mix: the replay refused';
    is +(present_token('/st/p', fresh_token({ sub => 'x' }, secret => $OTHER)))[0]->code, 401, '1 mix: a bad signature';
    is ua()->get(url('/st/p'), Authorization => 'Bearer ' . fresh_token({ sub => 'api' }))->code, 200,
        '1 mix: a bearer request';
    is ua()->get(url('/st/p'), Accept => 'text/html')->code, 302, '1 mix: a redirect to the IdP';
    is $ua->get(url('/st-logout'))->code, 200, '1 mix: a logout';
    is ua()->get(url('/st-logout'))->code, 200, '1 mix: a logout without a login (not counted)';
    my $after = get_json($BASE, $S);
    my %d = map { ($_ => $after->{$_} - $before->{$_}) } @EVENTS;
    $d{$_} = $after->{failures}{$_} - $before->{failures}{$_} for @REASONS;
    my %want = (logins => 1, sessions => 1, bearer => 1, redirects => 1, logouts => 1,
                replays_refused => 1, store_errors => 0, replayed => 1, bad_signature => 1);
    is_deeply \%d, { map { ($_ => $want{$_} // 0) } @EVENTS, @REASONS }, '1 mix: each counter moved by its share exactly';
    is $after->{since}, $before->{since}, '1 mix: since unchanged';
}

# ---------------------------------------------------------------- 2. own httpd, several children

# prefork: 3 processes; event: 3 processes of 8 threads (the suite's MPM
# for the test server is event by default).
my $DIRECTIVES = jwtsso_location(path => '/app/', extra => "    JWTSSOAcceptBearer On\n") . <<'EOC';
<Location /logout>
    SetHandler jwtsso-logout
    Session On
    SessionCookieName jwtsso_session path=/;httponly
</Location>
<Location /status>
    SetHandler jwtsso-status
    Require ip 127.0.0.1
</Location>
KeepAlive Off
StartServers 3
<IfModule mpm_prefork_module>
    MinSpareServers 3
    MaxSpareServers 6
</IfModule>
<IfModule mpm_event_module>
    ServerLimit 4
    MinSpareThreads 8
    MaxSpareThreads 64
    MaxRequestWorkers 32
</IfModule>
LogFormat "%P %>s %U" pids
CustomLog "access_log" pids
EOC

my ($h, $B);
END { httpd_stop($h) if $h && $h->{pid} }

sub start_own {
    my ($mpm, $port) = @_;
    local $ENV{JWTSSO_MPM} = $mpm;
    my $s = httpd_start($DIRECTIVES, $port ? (port => $port) : ());
    $B = $s->{base};
    return $s;
}

# Each job: steps run in order by one client: [label, code, sub($ua) -> response].
sub login_steps {
    my ($name, $tok, $sessions) = @_;
    my $u = "/app/$name?jwt=" . uri_escape($tok);
    return (["$name login", 302, sub { $_[0]->get("$B$u") }],
            map { my $i = $_; ["$name session $i", 200, sub { $_[0]->get("$B/app/$name") }] } 1 .. $sessions);
}
sub get_step {
    my ($label, $code, $path, @h) = @_;
    return [$label, $code, sub { $_[0]->get("$B$path", @h) }];
}

sub mix_jobs {
    my ($ta, $tb) = (fresh_token({ sub => 'alice' }), fresh_token({ sub => 'bob' }));
    return (
        [login_steps('a', $ta, 2), get_step('a replayed', 401, '/app/a?jwt=' . uri_escape($ta))],
        [login_steps('b', $tb, 1),
         get_step('b login token as bearer: consumed', 401, '/app/b', Authorization => "Bearer $tb"),
         get_step('b logout', 200, '/logout'),
         get_step('b after logout: redirect', 302, '/app/b', Accept => 'text/html')],
        [login_steps('c', fresh_token({ sub => 'carol' }), 1)],
        [login_steps('d', fresh_token({ sub => 'dave' }), 1)],
        [get_step('bad signature 1', 401, '/app/e?jwt=' . fresh_token({ sub => 'm1' }, secret => $OTHER))],
        [get_step('bad signature 2', 401, '/app/e?jwt=' . fresh_token({ sub => 'm2' }, secret => $OTHER))],
        [get_step('expired', 401, '/app/e?jwt=' . fresh_token({ sub => 'o', iat => time - 7200, exp => time - 3600 }))],
        [get_step('no iat under JWTSSOMaxAge', 401, '/app/e?jwt=' . fresh_token({ sub => 'n', iat => undef }))],
        [get_step('malformed', 401, '/app/e?jwt=abc')],
        [get_step('token twice', 401, '/app/e?jwt=a.b.c&jwt=d.e.f')],
        [map { get_step("bearer $_", 200, '/app/api', Authorization => 'Bearer ' . fresh_token({ sub => "api$_" })) } 1 .. 3],
        [get_step('bearer bad signature', 401, '/app/api', Authorization => 'Bearer ' . fresh_token({ sub => 'm3' }, secret => $OTHER))],
        [get_step('bearer without a token', 401, '/app/api', Authorization => 'Bearer ')],
        [map { get_step("redirect $_", 302, "/app/r$_", Accept => 'text/html') } 1 .. 2],
        [get_step('XHR without a session: 401, not counted', 401, '/app/x', 'X-Requested-With' => 'XMLHttpRequest')],
    );
}
my %MIX = (logins => 4, sessions => 5, bearer => 3, redirects => 3, logouts => 1,
           replays_refused => 2, store_errors => 0,
           failures => { bad_signature => 3, expired => 1, no_iat => 1, malformed => 2,
                         duplicate_param => 1, replayed => 1, consumed => 1 });

# Three clients at once, each a share of the jobs; each reports its
# steps' codes in a file.
sub run_mix {
    my @jobs = @_;
    my $N = 3;
    my @kids;
    for my $k (0 .. $N - 1) {
        my $out = File::Temp->new(SUFFIX => '.json', TMPDIR => 1);
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            my @r;
            for my $j (grep { $_ % $N == $k } 0 .. $#jobs) {
                my $ua = ua();
                push @r, [$_->[0], $_->[1], $_->[2]->($ua)->code] for @{ $jobs[$j] };
            }
            open my $fh, '>', "$out" or POSIX::_exit(1);
            print $fh JSON::PP->new->encode(\@r);
            close $fh;
            POSIX::_exit(0);
        }
        push @kids, [$pid, $out];
    }
    my @all;
    for my $kid (@kids) {
        waitpid $kid->[0], 0;
        push @all, @{ JSON::PP->new->decode(slurp("$kid->[1]") || '[]') };
    }
    return @all;
}

sub settle { Time::HiRes::sleep(1.5); wait_port($h->{port}, 10) }

# The mix, then the restarts, on an httpd of its own under $mpm.
sub own_server {
    my $mpm = shift;
    my $L = "$mpm:";
    $h = start_own($mpm);
    my @jobs = mix_jobs();
    my @steps = run_mix(@jobs);
    is scalar(@steps), scalar(map { @$_ } @jobs), "2 $L every step of the mix ran";
    my @wrong = grep { $_->[1] != $_->[2] } @steps;
    ok !@wrong, "2 $L every step answered as expected"
        or diag(join "\n", map { "$_->[0]: want $_->[1], got $_->[2]" } @wrong);
    my %pids;
    for (split /\n/, slurp("$h->{dir}/access_log")) {
        $pids{$1} = 1 if m{^(\d+) \d+ /app/};
    }
    cmp_ok scalar(keys %pids), '>=', 2, "2 $L several children served the mix (" . scalar(keys %pids) . ')';
    my $j1 = three_forms_are("2 $L after the mix", $B, '/status', \%MIX);

    # 3. restarts
    Time::HiRes::sleep(1.1);        # a `since` made now would differ
    kill 'USR1', $h->{pid};
    settle();
    my $j2 = three_forms_are("3 $L after a graceful restart", $B, '/status', \%MIX);
    is $j2->{since}, $j1->{since}, "3 $L graceful restart: since unchanged";
    like slurp($h->{error_log}), qr/SIGUSR1 received|Graceful restart requested/, "3 $L the graceful restart happened";
    is ua()->get("$B/app/f?jwt=" . uri_escape(fresh_token({ sub => 'frank' })))->code, 302, "3 $L a login after it";
    is get_json($B, '/status')->{logins}, $MIX{logins} + 1, "3 $L ... counted on top";

    kill 'HUP', $h->{pid};
    settle();
    my $j3 = three_forms_are("3 $L after SIGHUP (restart, not graceful)", $B, '/status', {});
    cmp_ok $j3->{since}, '>', $j1->{since}, "3 $L SIGHUP: a new since";
    like slurp($h->{error_log}), qr/SIGHUP received/, "3 $L the SIGHUP restart happened";
    is ua()->get("$B/app/g?jwt=" . uri_escape(fresh_token({ sub => 'gina' })))->code, 302, "3 $L a login after SIGHUP";

    my $port = $h->{port};
    ok httpd_stop($h), "3 $L the server stops";
    ok wait_port_closed($port), "3 $L ... and its port is closed";
    is_deeply [crash_lines(slurp($h->{error_log}))], [], "3 $L no crash in its log";
    Time::HiRes::sleep(1.1);
    $h = start_own($mpm, $port);
    my $j4 = three_forms_are("3 $L after a full stop and start", $B, '/status', {});
    cmp_ok $j4->{since}, '>', $j3->{since}, "3 $L stop and start: a new since";
    ok httpd_stop($h), "3 $L the server stops again";
    is_deeply [crash_lines(slurp($h->{error_log}))], [], "3 $L no crash in the second one";
}

own_server($_) for qw(prefork event);
