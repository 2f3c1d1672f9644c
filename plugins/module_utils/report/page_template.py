# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja2 template of the HTML report (a Python string: plugins/ holds Python files only)."""

from __future__ import annotations

STYLE = r"""
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#fff; --panel:#f6f8fa; --ok:#2da44e; --high:#bf8700;
  --over:#cf222e; --track:#eaeef2; --reserve:#8c959f; --accent:#0969da; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  color: var(--fg); background: var(--bg); }
main, header, nav, footer { max-width: 1280px; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.6rem; margin: .3rem 0; } h2 { font-size: 1.3rem; margin: 0 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; } h4 { margin: 0 0 .4rem; font-size: 1rem; }
.muted { color: var(--muted); } .small { font-size: .85rem; }
.vh { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; margin: .4rem 0 1rem; }
a { color: var(--accent); }
section, article { border-top: 1px solid var(--line); padding: 1rem 0; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .2rem 0 .4rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--panel); font-size: .85rem; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.barcell { min-width: 9rem; width: 30%; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; padding: 0; list-style: none; }
.summary li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .3rem .7rem; }
.summary b { font-size: 1.15rem; }
.badge { display: inline-block; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.sev-critical { color: var(--over); } .sev-warning { color: var(--high); } .sev-notice { color: var(--muted); }
svg.bar { width: 100%; height: 14px; display: block; }
svg.bar .track { fill: var(--track); } svg.bar .used { fill: var(--ok); }
svg.bar.high .used { fill: var(--high); } svg.bar .over { fill: var(--over); }
svg.bar .reserve { fill: url(#hatch); } svg.bar .physical { stroke: var(--fg); stroke-width: 2; }
.barnote { font-size: .78rem; color: var(--muted); }
dl.policy { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .3rem 0 .8rem; }
dl.policy dt { color: var(--muted); } dl.policy dd { margin: 0; }
.nodes { display: grid; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); gap: .8rem; }
.node { border: 1px solid var(--line); border-radius: 8px; padding: .7rem; background: var(--panel);
  break-inside: avoid; min-width: 0; }
ul.cores { list-style: none; padding: 0; margin: .2rem 0 .5rem; display: grid;
  grid-template-columns: repeat(auto-fill, minmax(2.3rem, 1fr)); gap: 3px; }
ul.cores li { border: 1px solid var(--line); border-radius: 4px; text-align: center; font-size: .8rem;
  padding: .15rem 0; background: var(--bg); }
ul.cores li.offline { background: repeating-linear-gradient(45deg, var(--track), var(--track) 3px, var(--bg) 3px,
  var(--bg) 6px); color: var(--muted); }
ul.cores li.isolated { border-style: dashed; }
ul.cores li.pinned { color: #fff; font-weight: 600; }
.c0 { background: #0969da !important; } .c1 { background: #8250df !important; } .c2 { background: #bf3989 !important; }
.c3 { background: #1a7f37 !important; } .c4 { background: #9a6700 !important; } .c5 { background: #cf222e !important; }
.c6 { background: #116329 !important; } .c7 { background: #57606a !important; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -1px; }
ul.plain { list-style: none; padding: 0; margin: .2rem 0; }
details > summary { cursor: pointer; font-weight: 600; margin: .6rem 0; }
.tag { display: inline-block; background: var(--track); border-radius: 3px; padding: 0 .3rem; margin: 0 .15rem .1rem 0;
  font-size: .8rem; }
footer { border-top: 1px solid var(--line); padding: 1rem; margin-top: 1rem; }
.narrow { display: none; }
@media (max-width: 640px) {
  .narrow { display: block; min-width: 6rem; margin-top: .2rem; } td.barcell, th.barcol { display: none; }
  body { font-size: 14px; } main, header, nav, footer { padding: 0 .6rem; }
  th, td { padding: .25rem .35rem; } h1 { font-size: 1.3rem; }
}
@media print {
  nav { display: none; } body { font-size: 11px; } a { color: inherit; text-decoration: none; }
  article { break-before: page; } .scroll { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

PAGE = (
    r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="vmfleet.hosts vm_report">
<title>{{ r.title }}</title>
<style>"""
    + STYLE
    + r"""</style>
</head>
<body>
{% macro svgbar(b) %}
<svg class="bar {{ b.level }}" viewBox="0 0 100 14" preserveAspectRatio="none" role="img" aria-label="{{ b.label }}"
focusable="false"><title>{{ b.label }}</title>
<rect class="track" x="0" y="2" width="{{ b.allowed }}" height="10"></rect>
{% if b.reserved %}<rect class="reserve" x="{{ b.allowed }}" y="2" width="{{ b.reserved }}" height="10">
</rect>{% endif %}
<rect class="used" x="0" y="2" width="{{ b.used }}" height="10"></rect>
{% if b.over %}<rect class="over" x="{{ b.over_x }}" y="2" width="{{ b.over }}" height="10"></rect>{% endif %}
{% if b.show_physical %}<line class="physical" x1="{{ b.physical }}" x2="{{ b.physical }}" y1="0" y2="14"
vector-effect="non-scaling-stroke"></line>{% endif %}
</svg>
{% endmacro %}
{% macro sev(f) %}<span class="badge sev-{{ f.severity }}">{{ f.severity }}</span>{% endmacro %}
{% macro findings_table(items, caption) %}
<div class="scroll" role="region" aria-label="{{ caption }}" tabindex="0">
<table class="findings">
<caption>{{ caption }}</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Host</th><th scope="col">Subject</th><th scope="col">What</th>
</tr></thead>
<tbody>
{% for f in items %}
<tr class="finding kind-{{ f.kind }}" data-kind="{{ f.kind }}" data-host="{{ f.host or '' }}"><td>{{ sev(f) }}</td>
<td>{{ f.host or '-' }}</td><th scope="row">{{ f.subject }}</th><td>{{ f.message }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% endmacro %}
{% macro group_table(groups, caption, first) %}
<div class="scroll" role="region" aria-label="{{ caption }}" tabindex="0">
<table>
<caption>{{ caption }}</caption>
<thead><tr><th scope="col">{{ first }}</th><th scope="col" class="num">Hosts</th><th scope="col" class="num">VMs</th>
<th scope="col" class="num">vCPUs used / allowed</th><th scope="col" class="num">Memory used / allowed</th>
<th scope="col" class="num">Hugepages used / total</th><th scope="col" class="num">Storage used / total</th>
<th scope="col" class="num">Findings</th></tr></thead>
<tbody>
{% for g in groups %}
<tr><th scope="row">{{ g.name }}</th><td class="num">{{ g.hosts }}</td><td class="num">{{ g.vms }}</td>
<td class="num">{{ g.vcpus_used }} / {{ g.vcpus_allowed }}</td>
<td class="num">{{ fmt.mib(g.memory_used) }} / {{ fmt.mib(g.memory_allowed) }}</td>
<td class="num">{{ fmt.mib(g.hugepages_used) }} / {{ fmt.mib(g.hugepages_total) }}</td>
<td class="num">{{ fmt.size(g.storage_used) }} / {{ fmt.size(g.storage_total) }}</td>
<td class="num">{{ g.findings }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% endmacro %}
{% macro vm_rows(vms, show_host) %}
{% for vm in vms %}
<tr class="vm" data-vm="{{ vm.name }}">
<th scope="row">{{ vm.name }}{% if vm.planned %} <span class="badge">planned</span>{% endif %}</th>
{% if show_host %}<td>{{ vm.host or '-' }}</td>{% endif %}
<td>{{ vm.power_state or '-' }}</td><td class="num">{{ vm.cores }}</td><td>{{ vm.pinned_cpuset or '-' }}</td>
<td class="num">{{ fmt.mib(vm.memory) }}</td><td>{{ fmt.hugepages(vm.hugepages) }}</td>
<td>{{ fmt.nodes(vm.numanode_set) }}{% if vm.spans_numa_nodes %} <span class="badge
sev-notice">spans</span>{% endif %}</td>
<td>{{ fmt.disks(vm.disks) }}</td><td>{{ fmt.nics(vm.interfaces) }}</td>
<td>{{ vm.pool or '-' }}</td><td>{% for t in vm.tags %}<span class="tag">{{ t }}</span>{% else %}-{% endfor %}</td>
<td class="small">{{ vm.notes | join('; ') }}</td></tr>
{% endfor %}
{% endmacro %}
{% macro vm_head(show_host) %}
<thead><tr><th scope="col">Name</th>{% if show_host %}<th scope="col">Host</th>{% endif %}<th scope="col">Power</th>
<th scope="col" class="num">vCPUs</th>
<th scope="col">Pinned cores</th><th scope="col" class="num">Memory</th><th scope="col">Hugepages</th>
<th scope="col">NUMA</th>
<th scope="col">Disks</th><th scope="col">NICs</th><th scope="col">Pool</th><th scope="col">Tags</th>
<th scope="col">Notes</th></tr></thead>
{% endmacro %}
<svg width="0" height="0" style="position:absolute" aria-hidden="true" focusable="false"><defs>
<pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="2" height="4" fill="#8c959f"></rect></pattern>
</defs></svg>
<header>
<h1>{{ r.title }}</h1>
<p class="muted">{{ r.fleet.hosts }} VM host{{ '' if r.fleet.hosts == 1 else 's' }}, read from their host
records{% if r.generated %}; {{ r.generated }}{% endif %}.
Figures are what each host's overcommit policy allows, as vm_plan and vm_compose enforce it.</p>
<ul class="summary" aria-label="Fleet at a glance">
<li><b>{{ r.fleet.hosts }}</b> hosts</li><li><b>{{ r.fleet.vms }}</b> VMs</li>
<li><b>{{ r.fleet.vcpus_used }}</b> of {{ r.fleet.vcpus_allowed }} vCPUs</li>
<li><b>{{ fmt.mib(r.fleet.memory_used) }}</b> of {{ fmt.mib(r.fleet.memory_allowed) }} memory</li>
<li><b>{{ fmt.size(r.fleet.storage_used) }}</b> of {{ fmt.size(r.fleet.storage_total) }} storage</li>
<li><b id="finding-count">{{ r.findings | length }}</b> finding{{ '' if r.findings | length == 1 else 's' }}</li>
</ul>
</header>
<nav aria-label="Contents"><ul>
<li><a href="#findings">Findings</a></li><li><a href="#fleet">Fleet</a></li>
{% for h in r.hosts %}<li><a href="#host-{{ loop.index }}">{{ h.name }}</a></li>{% endfor %}
{% if r.plan %}<li><a href="#plan">Plan</a></li>{% endif %}
</ul></nav>
<main>
<section id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings</h2>
{% if r.findings %}
{{ findings_table(r.findings, 'Findings on the hosts as they are') }}
{% else %}
<p class="none">No findings: no host past its policy, no pool at {{ '%g' | format(r.pool_full_percent) }}% or more,
no SR-IOV NIC out
of VFs, every VM's NICs on its NUMA node.</p>
{% endif %}
<p class="small muted">A storage pool counts as nearly full from {{ '%g' | format(r.pool_full_percent) }}% used (option
pool_full_percent).</p>
</section>
<section id="fleet" aria-labelledby="fleet-h">
<h2 id="fleet-h">Fleet</h2>
<div class="scroll" role="region" aria-label="Fleet totals" tabindex="0">
<table>
<caption>Fleet totals</caption>
<thead><tr><th scope="col">Resource</th><th scope="col" class="num">Used</th><th scope="col" class="num">Allowed</th>
<th scope="col" class="num">Physical</th><th scope="col" class="barcol">Used against allowed</th></tr></thead>
<tbody>
<tr><th scope="row">vCPUs<div
class="narrow">{{ svgbar(bar(r.fleet.vcpus_used, r.fleet.vcpus_allowed, r.fleet.cores)) }}</div></th>
<td class="num">{{ r.fleet.vcpus_used }}</td><td class="num">{{ r.fleet.vcpus_allowed }}</td>
<td class="num">{{ r.fleet.cores }} cores</td>
<td class="barcell">{{ svgbar(bar(r.fleet.vcpus_used, r.fleet.vcpus_allowed, r.fleet.cores)) }}</td></tr>
<tr><th scope="row">General memory<div
class="narrow">{{ svgbar(bar(r.fleet.memory_used, r.fleet.memory_allowed, r.fleet.memory_physical, 0, 'MiB')) }}</div>
</th><td class="num">{{ fmt.mib(r.fleet.memory_used) }}</td><td class="num">{{ fmt.mib(r.fleet.memory_allowed) }}</td>
<td class="num">{{ fmt.mib(r.fleet.memory_physical) }}</td>
<td
class="barcell">{{ svgbar(bar(r.fleet.memory_used, r.fleet.memory_allowed, r.fleet.memory_physical, 0, 'MiB')) }}</td>
</tr>
<tr><th scope="row">Hugepages<div
class="narrow">{{ svgbar(bar(r.fleet.hugepages_used, r.fleet.hugepages_total,
  r.fleet.hugepages_total, 0, 'MiB')) }}</div>
</th><td class="num">{{ fmt.mib(r.fleet.hugepages_used) }}</td>
<td class="num">{{ fmt.mib(r.fleet.hugepages_total) }}</td><td class="num">{{ fmt.mib(r.fleet.hugepages_total) }}</td>
<td
class="barcell">{{ svgbar(bar(r.fleet.hugepages_used, r.fleet.hugepages_total,
  r.fleet.hugepages_total, 0, 'MiB')) }}</td>
</tr>
<tr><th scope="row">Storage<div
class="narrow">{{ svgbar(bar(r.fleet.storage_used, r.fleet.storage_total, r.fleet.storage_total, 0, 'bytes')) }}</div>
</th><td class="num">{{ fmt.size(r.fleet.storage_used) }}</td>
<td class="num">{{ fmt.size(r.fleet.storage_total) }}</td><td class="num">{{ fmt.size(r.fleet.storage_total) }}</td>
<td
class="barcell">{{ svgbar(bar(r.fleet.storage_used, r.fleet.storage_total, r.fleet.storage_total, 0, 'bytes')) }}</td>
</tr>
</tbody>
</table>
</div>
{{ group_table(r.resource_pools, 'By resource pool', 'Resource pool') }}
{{ group_table(r.zones, 'By zone', 'Zone') }}
</section>
{% for h in r.hosts %}
{% set colours = vm_colours(h) %}
<article id="host-{{ loop.index }}" class="host" data-host="{{ h.name }}" aria-labelledby="host-{{ loop.index }}-h">
<h2 id="host-{{ loop.index }}-h">{{ h.name }} <span class="badge">{{ h.type }}</span>{% if h.findings %} <span
class="badge sev-{{ h.findings[0].severity }}">{{ h.findings | length }}
finding{{ '' if h.findings | length == 1 else 's' }}</span>{% endif %}</h2>
<dl class="policy">
<dt>Zone / resource pool</dt><dd>{{ h.zone }} / {{ h.pool }}</dd>
<dt>Tags</dt><dd>{% for t in h.tags %}<span class="tag">{{ t }}</span>{% else %}-{% endfor %}</dd>
<dt>Overcommit</dt><dd>CPU {{ fmt.ratio(h.cpu_over_commit_ratio) }}, memory
{{ fmt.ratio(h.memory_over_commit_ratio) }}</dd>
<dt>Reserved for the host</dt>
<dd>{{ h.reserved.cores }} vCPU{{ '' if h.reserved.cores == 1 else 's' }}, {{ fmt.mib(h.reserved.memory) }}</dd>
<dt>Default storage pool</dt><dd>{{ h.default_storage_pool or '-' }}</dd>
</dl>
<div class="scroll" role="region" aria-label="Capacity of {{ h.name }}" tabindex="0">
<table class="capacity">
<caption>Capacity of {{ h.name }}</caption>
<thead><tr><th scope="col">Resource</th><th scope="col" class="num">Used</th><th scope="col" class="num">Allowed</th>
<th scope="col" class="num">Physical</th><th scope="col" class="num">Free</th><th scope="col" class="num">Ratio</th>
<th scope="col" class="barcol">Used against allowed (line: physical end; hatched: reserve)</th></tr></thead>
<tbody>
{% for res in h.resources %}
<tr data-resource="{{ res.key }}">
<th scope="row">{{ res.label }}<div
class="narrow">{{ svgbar(bar(res.used, res.allowed, res.physical, res.reserved_effect, res.unit)) }}</div></th>
<td class="num">{{ fmt.amount(res, res.used) }}</td><td class="num">{{ fmt.amount(res, res.allowed) }}</td>
<td class="num">{{ fmt.amount(res, res.physical) }}</td><td class="num">{{ fmt.amount(res, res.free) }}</td>
<td class="num">{{ fmt.ratio(res.ratio) }}</td>
<td class="barcell">{{ svgbar(bar(res.used, res.allowed, res.physical, res.reserved_effect, res.unit)) }}<span
class="barnote">{{ fmt.pct(res.percent) }} of allowed{% if res.reserved %}; reserve
{{ fmt.amount(res, res.reserved) }}{% endif %}</span></td></tr>
{% endfor %}
{% for p in h.storage_pools %}
<tr data-pool="{{ p.name }}">
<th scope="row">Pool {{ p.name }}{% if p.default %} <span class="badge" title="default storage
pool">default</span>{% endif %}{% if not p.active %} <span class="badge sev-notice">inactive</span>{% endif %}
<div class="small muted">{{ p.type }}{% if p.path %} {{ p.path }}{% endif %}</div>
<div class="narrow">{{ svgbar(bar(p.used, p.total, p.total, 0, 'bytes')) }}</div></th>
<td class="num">{{ fmt.size(p.used) }}</td><td class="num">{{ fmt.size(p.total) }}</td>
<td class="num">{{ fmt.size(p.total) }}</td><td class="num">{{ fmt.size(p.available) }}</td><td class="num">-</td>
<td class="barcell">{{ svgbar(bar(p.used, p.total, p.total, 0, 'bytes')) }}<span
class="barnote">{{ fmt.pct(p.percent) }} used; storage is not overcommitted</span></td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% if h.findings %}{{ findings_table(h.findings, 'Findings on ' ~ h.name) }}{% endif %}
<details open>
<summary>View by NUMA node ({{ h.numa | length }})</summary>
<div class="nodes">
{% for n in h.numa %}
<section class="node" data-node="{{ n.node_id }}" aria-label="{{ h.name }} NUMA node {{ n.node_id }}">
<h4>NUMA node {{ n.node_id }}</h4>
<p class="small">{{ n.cores_pinned }} of {{ n.cores_online }} online cores pinned, {{ n.cores_free }} free</p>
<ul class="cores" aria-label="CPUs of NUMA node {{ n.node_id }}">
{% for c in n.cpus %}
{% set who = c.pinned_by | join(', ') %}
{% set text = 'CPU ' ~ c.id ~ ': ' ~ ('pinned by ' ~ who if c.status == 'pinned' else c.status) %}
<li class="cpu {{ c.status }}{% if c.pinned_by %} c{{ colours.get(c.pinned_by[0], 7) }}{% endif %}" title="{{ text }}"
data-cpu="{{ c.id }}" data-status="{{ c.status }}"><span aria-hidden="true">{{ c.id }}</span>
<span class="vh">{{ text }}</span></li>
{% endfor %}
</ul>
<div class="scroll"><table class="small">
<caption class="vh">Memory of NUMA node {{ n.node_id }}</caption>
<thead><tr><th scope="col">Memory</th><th scope="col" class="num">Used</th><th scope="col" class="num">Total</th>
<th scope="col" class="num">Free</th></tr></thead>
<tbody>
<tr><th scope="row">General (bound)</th><td class="num">{{ fmt.mib(n.general.allocated) }}</td>
<td class="num">{{ fmt.mib(n.general.total) }}</td><td class="num">{{ fmt.mib(n.general.free) }}</td></tr>
{% for p in n.hugepages %}
<tr><th scope="row">Hugepages {{ fmt.page(p.page_size) }}</th><td class="num">{{ p.allocated }}</td>
<td class="num">{{ p.total }}</td><td class="num">{{ p.free }}</td></tr>
{% endfor %}
</tbody></table></div>
<h5 class="small">VMs on the node</h5>
<ul class="plain small">
{% for name in n.vms %}<li><span class="swatch c{{ colours.get(name, 7) }}" aria-hidden="true">
</span> {{ name }}</li>{% else %}<li class="muted">none</li>{% endfor %}
</ul>
<h5 class="small">NICs on the node</h5>
<ul class="plain small">
{% for i in h.interfaces if i.numa_node == n.node_id %}
<li>{{ i.name }} ({{ i.type }}){% if i.sriov_max_vf %}: VFs {{ i.sriov_used_vf }} used of
{{ i.sriov_max_vf }}{{ svgbar(bar(i.sriov_used_vf, i.sriov_max_vf, i.sriov_max_vf)) }}{% endif %}</li>
{% else %}<li class="muted">none</li>{% endfor %}
</ul>
</section>
{% endfor %}
</div>
</details>
<div class="scroll" role="region" aria-label="VMs on {{ h.name }}" tabindex="0">
<table class="vms">
<caption>VMs on {{ h.name }} ({{ h.vms | length }})</caption>
{{ vm_head(false) }}
<tbody>
{{ vm_rows(h.vms, false) }}
{% if not h.vms %}<tr><td colspan="12" class="muted">no VMs</td></tr>{% endif %}
</tbody>
</table>
</div>
{% if h.interfaces %}
<div class="scroll" role="region" aria-label="Interfaces of {{ h.name }}" tabindex="0">
<table class="interfaces">
<caption>Interfaces of {{ h.name }}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">NUMA node</th>
<th scope="col" class="num">SR-IOV VFs used / max</th><th scope="col">Networks, spaces, VLANs</th></tr></thead>
<tbody>
{% for i in h.interfaces %}
<tr><th scope="row">{{ i.name }}{% if i.default %} <span class="badge">default</span>{% endif %}{% if not i.active %}
<span class="badge sev-notice">down</span>{% endif %}</th><td>{{ i.type }}</td>
<td>{{ '-' if i.numa_node is none else i.numa_node }}</td>
<td class="num">{{ (i.sriov_used_vf ~ ' / ' ~ i.sriov_max_vf) if i.sriov_max_vf else '-' }}</td>
<td>{{ (i.networks + i.spaces + i.vlans | map('string') | list) | join(', ') or '-' }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% endif %}
</article>
{% endfor %}
{% if r.plan %}
<section id="plan" aria-labelledby="plan-h">
<h2 id="plan-h">Plan: {{ r.plan.placements | length }} placed, {{ r.plan.unplaced | length }} unplaced</h2>
<div class="scroll" role="region" aria-label="Placements" tabindex="0">
<table class="placements">
<caption>What would be placed where</caption>
{{ vm_head(true) }}
<tbody>
{{ vm_rows(r.plan.placements, true) }}
{% if not r.plan.placements %}<tr><td colspan="13" class="muted">nothing placed</td></tr>{% endif %}
</tbody>
</table>
</div>
<div class="scroll" role="region" aria-label="Left after the plan" tabindex="0">
<table class="left">
<caption>What is left after the plan (free of allowed)</caption>
<thead><tr><th scope="col">Host</th>{% for key in ['vCPUs', 'General memory', 'Hugepages'] %}<th
scope="col">{{ key }}</th>{% endfor %}<th scope="col">Storage free</th><th scope="col">Planned VMs</th></tr></thead>
<tbody>
{% for h in r.plan.hosts_after %}
{% set by = {} %}{% for res in h.resources %}{% set _ = by.update({res.key: res}) %}{% endfor %}
<tr><th scope="row">{{ h.name }}</th>
{% for key in ['vcpus', 'memory', 'hugepages'] %}
<td class="barcell">{% if key in by %}{% set res = by[key] %}{{ fmt.amount(res, res.free) }} of
{{ fmt.amount(res, res.allowed) }}{{ svgbar(bar(res.used, res.allowed, res.allowed, 0,
  res.unit)) }}{% else %}-{% endif %}</td>
{% endfor %}
<td>{% for p in h.storage_pools %}{{ p.name }} {{ fmt.size(p.available) }}{% if p.default %}
(default){% endif %}{% if not loop.last %}, {% endif %}{% else %}-{% endfor %}</td>
<td>{{ h.planned_vms | join(', ') or '-' }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% if r.plan.unplaced %}
<div class="scroll" role="region" aria-label="Unplaced requests" tabindex="0">
<table class="unplaced">
<caption>Requests that fit nowhere</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Resource</th><th scope="col">Closest host</th>
<th scope="col">Reason</th></tr></thead>
<tbody>
{% for u in r.plan.unplaced %}<tr><th scope="row">{{ u.name }}</th><td>{{ u.resource or '-' }}</td>
<td>{{ u.closest_host or '-' }}</td><td>{{ u.reason }}</td></tr>{% endfor %}
</tbody>
</table>
</div>
{% endif %}
{% if r.plan.findings %}{{ findings_table(r.plan.findings, 'Findings the plan would bring') }}{% endif %}
</section>
{% endif %}
</main>
<footer class="small muted">
<p>Legend: a bar's filled part is what is used, its track what the policy allows (ratio applied, reserve taken off);
the hatched stretch is what the reserve keeps back, the black line where the machine's physical amount ends, red is
use past the policy. In the core grids, a coloured CPU is pinned by the VM of that colour (listed under the node);
striped is offline, dashed isolated.</p>
<p>Made by vmfleet.hosts vm_report from host records; every figure comes from the collection's capacity core.</p>
</footer>
</body>
</html>
"""
)
