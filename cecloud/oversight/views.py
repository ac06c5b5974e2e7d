from django.shortcuts import render

from cecloud.accounts.decorators import staff_portal_required


@staff_portal_required
def index(request):
    return render(request, "oversight/index.html", {})
