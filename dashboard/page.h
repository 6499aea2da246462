/* page.h - the dashboard's one page (HTML, CSS and JS in one string). */
#ifndef VS_DASH_PAGE_H
#define VS_DASH_PAGE_H

extern const char vs_dash_page[];

#endif
