"""The supervising office's spring (issue 13): review every unit's report of a group (地区或分组) and year,
draft the 通报 and its XLSX annex, and compare one unit's report with last year's.

Modules: `groups` (which group a report belongs to: suggested from the agency name's place prefix),
`region` (the review: a table of units, the common problems, what we could not read), `notice` (the 通报
DOCX and the 问题清单 XLSX), `diff` (与上年比对: cells, sentences, last year's problems), `diff_export`
(the 比对 DOCX). Every figure is a count or a cell computed here, never written by a language model.
"""
