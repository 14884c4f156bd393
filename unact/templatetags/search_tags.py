"""The search results page's repeated markup: its results and its filter links, built
in unact/search/markup.py (a template loop cost three times as much)."""

from django import template

from unact.search.markup import facet_groups, result_items

register = template.Library()
register.simple_tag(result_items, name="search_result_items")
register.simple_tag(facet_groups, name="search_facets")
